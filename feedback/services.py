"""Writes of residents' matters. Every change of state writes its MatterEvent in the same transaction."""

from django.db import transaction

from feedback.models import Matter, MatterEvent
from visits.models import Household, Unit, User, Visit


@transaction.atomic
def matter_register(
    *,
    channel: str,
    content: str,
    unit: Unit,
    actor: User | None,
    household: Household | None = None,
    visit: Visit | None = None,
) -> Matter:
    """A matter heard on any channel enters the flow as 汇报 (reported)."""
    matter = Matter.objects.create(
        channel=channel, content=content, unit=unit, household=household, visit=visit, reported_by=actor
    )
    MatterEvent.objects.create(matter=matter, to_state=Matter.State.REPORTED, actor=actor, note="登记")
    return matter
