"""Periodic jobs commit item by item: an audited write waits for the audit chain's lock, which is held until its
transaction commits, so a job holding one transaction over all its items would make every login wait."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from feedback import services
from feedback.models import Matter, MatterEvent
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.models import User
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def _overdue_matter(duty, content):
    matter = walk_in(duty, content=content)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit)
    Matter.objects.filter(pk=matter.pk).update(deadline=timezone.now() - timedelta(hours=2))
    return matter


def test_the_escalation_job_keeps_what_it_did_before_an_item_failed(duty, monkeypatch):
    _overdue_matter(duty, "第一件")
    _overdue_matter(duty, "第二件")
    create = MatterEvent.objects.create

    def fail_on_the_second_matter(**fields):
        if Matter.objects.filter(escalated_at__isnull=False).count() > 1:
            raise OperationalError("connection lost")
        return create(**fields)

    monkeypatch.setattr(MatterEvent.objects, "create", fail_on_the_second_matter)
    with pytest.raises(OperationalError):
        services.escalate_overdue_matters(actor=system_actor())
    monkeypatch.undo()
    assert Matter.objects.filter(escalated_at__isnull=False).count() == 1
    assert services.escalate_overdue_matters(actor=system_actor()) == 1  # the retry takes only the one left
