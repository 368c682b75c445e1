from datetime import timedelta

from django.utils import timezone

from feedback import services as feedback_services
from ledger import services
from ledger.models import LedgerItem


def open_item(actor, household, what="帮助申请危房改造补助", *, days=7, **extra) -> LedgerItem:
    extra.setdefault("responsible", actor)
    extra.setdefault("source", LedgerItem.Source.HOUSEHOLD)
    return services.ledger_item_open(
        actor=actor,
        household=household,
        what=what,
        deadline=timezone.localdate() + timedelta(days=days),
        unit=household.village.unit,
        **extra,
    )


def delivered_item(officer, household, what="帮助申请危房改造补助", **extra) -> LedgerItem:
    item = open_item(officer, household, what, **extra)
    item = services.ledger_item_register(item=item, actor=officer)
    return services.ledger_item_deliver(item=item, actor=officer, note="补助已到账")


def dispatched_matter(duty, assignee, *, household=None, content="村口路灯坏了"):
    matter = feedback_services.matter_register(
        channel="visit" if household else "talk_room",
        content=content,
        unit=duty.unit,
        actor=duty,
        household=household,
        resident_name="" if household else "张大姐",
    )
    feedback_services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    return feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=assignee.unit, assignee=assignee)
