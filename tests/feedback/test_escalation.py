"""督办 races: the hourly job lists overdue matters, then flags each by a compare-and-set. A matter closed, sent
back or given a new deadline between the two must not be flagged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Matter
from feedback.services import matters as matter_services
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.models import User
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def _overdue(duty):
    matter = walk_in(duty)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=matter, actor=duty)
    Matter.objects.filter(pk=matter.pk).update(deadline=timezone.now() - timedelta(hours=2))
    return matter


def _meanwhile(monkeypatch, change):
    """Run `change` after the job has listed the matter and before its compare-and-set."""
    flag = matter_services.matter_escalate

    def change_then_flag(*, pk, now, actor):
        change(Matter.objects.get(pk=pk))
        return flag(pk=pk, now=now, actor=actor)

    monkeypatch.setattr(matter_services, "matter_escalate", change_then_flag)


def _escalations(matter):
    return matter.events.filter(note__contains="督办").count()


def test_a_matter_closed_after_it_was_listed_is_not_escalated(duty, monkeypatch):
    matter = _overdue(duty)
    _meanwhile(
        monkeypatch,
        lambda m: services.matter_close(matter=m, actor=duty, result="已调解", reply_method="in_person"),
    )
    assert services.escalate_overdue_matters(actor=system_actor()) == 0
    matter.refresh_from_db()
    assert matter.state == "closed" and matter.escalated_at is None and _escalations(matter) == 0


def test_a_matter_sent_back_after_it_was_listed_is_not_escalated(duty, monkeypatch):
    matter = _overdue(duty)
    _meanwhile(monkeypatch, lambda m: services.matter_send_back(matter=m, actor=duty, reason="派错了"))
    assert services.escalate_overdue_matters(actor=system_actor()) == 0
    matter.refresh_from_db()
    assert matter.state == "analysed" and matter.escalated_at is None and _escalations(matter) == 0


def test_a_matter_given_a_new_deadline_after_it_was_listed_is_not_escalated(duty, monkeypatch):
    matter = _overdue(duty)
    later = timezone.now() + timedelta(days=3)
    _meanwhile(monkeypatch, lambda m: Matter.objects.filter(pk=m.pk).update(deadline=later))
    assert services.escalate_overdue_matters(actor=system_actor()) == 0
    matter.refresh_from_db()
    assert matter.escalated_at is None and _escalations(matter) == 0


def test_a_matter_still_overdue_is_escalated_once(duty, monkeypatch):
    matter = _overdue(duty)
    _meanwhile(monkeypatch, lambda m: None)
    assert services.escalate_overdue_matters(actor=system_actor()) == 1
    assert services.escalate_overdue_matters(actor=system_actor()) == 0
    matter.refresh_from_db()
    assert matter.escalated_at is not None and _escalations(matter) == 1


def test_a_reopened_matter_is_escalated_again_when_its_new_deadline_passes(duty):
    matter = _overdue(duty)
    assert services.escalate_overdue_matters(actor=system_actor()) == 1
    services.matter_close(
        matter=Matter.objects.get(pk=matter.pk), actor=duty, result="已协调", reply_method="in_person"
    )
    reopened = services.matter_reopen(matter=Matter.objects.get(pk=matter.pk), actor=duty, reason="噪音依旧")
    assert reopened.escalated_at is None and reopened.deadline > timezone.now()
    assert services.escalate_overdue_matters(actor=system_actor()) == 0
    late = reopened.deadline + timedelta(hours=1)
    assert services.escalate_overdue_matters(actor=system_actor(), now=late) == 1
    assert _escalations(matter) == 2
