"""A late or corrected visit rebuilds its old day's summary row, after its transaction commits."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from evaluation.models import UnitDaySummary, VillageDaySummary
from evaluation.services.summaries import summaries_refresh
from feedback.models import Category, Matter
from feedback.services import matter_analyse, matter_dispatch, matter_merge, matter_start, matter_topic_confirm
from jingshi_jiafang.core.models import User
from tests.core.factories import UserFactory
from tests.evaluation.summaries_data import DAY, at, build_day
from tests.feedback.helpers import walk_in
from tests.visits.factories import VisitFactory
from visits.models import Finding, Visit

pytestmark = pytest.mark.django_db


def test_a_visit_entered_late_updates_its_day(django_capture_on_commit_callbacks):
    built = build_day()
    summaries_refresh(day=DAY)
    h3 = built.households[2]
    with django_capture_on_commit_callbacks(execute=True):
        visit = VisitFactory(visitor=built.officer_2, household=h3, visited_at=at(DAY, 19))
        Finding.objects.create(visit=visit, kind=Finding.Kind.CASE_CLUE, description="补录的线索")
    row = VillageDaySummary.objects.get(village=built.village_2, day=DAY)
    assert (row.visits_day, row.households_visited, row.case_clues) == (2, 1, 1)


def test_a_corrected_visit_updates_the_day_it_left_and_the_day_it_moved_to(django_capture_on_commit_callbacks):
    built = build_day()
    summaries_refresh(day=DAY)
    summaries_refresh(day=DAY - timedelta(days=1))
    visit = Visit.objects.get(village=built.village_2, visited_at=at(DAY, 9))
    with django_capture_on_commit_callbacks(execute=True):
        visit.visited_at = at(DAY - timedelta(days=1), 9)
        visit.kind = Visit.Kind.TOPIC
        visit.save()
    assert VillageDaySummary.objects.get(village=built.village_2, day=DAY).visits_day == 0
    moved = VillageDaySummary.objects.get(village=built.village_2, day=DAY - timedelta(days=1))
    assert (moved.visits_topic, moved.households_visited) == (1, 1)


def test_a_rolled_back_visit_changes_no_summary(django_capture_on_commit_callbacks):
    built = build_day()
    summaries_refresh(day=DAY)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        VisitFactory(visitor=built.officer_2, household=built.households[2], visited_at=at(DAY, 19))
        raise RuntimeError("the form failed")
    assert callbacks == []
    assert VillageDaySummary.objects.get(village=built.village_2, day=DAY).visits_day == 1


def test_one_transaction_rebuilds_each_day_once(django_capture_on_commit_callbacks):
    built = build_day()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        visit = VisitFactory(visitor=built.officer_2, household=built.households[2], visited_at=at(DAY, 19))
        for kind in (Finding.Kind.DISPUTE, Finding.Kind.STABILITY):
            Finding.objects.create(visit=visit, kind=kind, description="发现")
    assert len(callbacks) == 1
    assert callbacks[0].keys == {(DAY, built.village_2.pk, built.room_2.pk)}


# Matters: a day counts the matters received on it by category and unit; classified or merged later, it follows.


@pytest.fixture
def duty(village_a):
    return UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)


@pytest.fixture
def legal(station_a):
    return UserFactory(role=User.Role.LEGAL, unit=station_a.parent)


def _received_yesterday(duty, content):
    matter = walk_in(duty, content)
    yesterday = timezone.localdate() - timedelta(days=1)
    QuerySet(model=Matter).filter(pk=matter.pk).update(created_at=timezone.now() - timedelta(days=1))
    summaries_refresh(day=yesterday)
    return Matter.objects.get(pk=matter.pk), yesterday


def test_a_matter_classified_after_its_day_moves_to_its_category(
    duty, legal, village_a, django_capture_on_commit_callbacks
):
    matter, day = _received_yesterday(duty, "派出所办事拖拉")
    before = UnitDaySummary.objects.get(unit=duty.unit, day=day)
    assert (before.matters_received, before.matters_unclassified, before.matters_force_conduct) == (1, 1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        matter_topic_confirm(matter=matter, actor=legal, category=Category.FORCE_CONDUCT)
    after = UnitDaySummary.objects.get(unit=duty.unit, day=day)
    assert (after.matters_received, after.matters_unclassified, after.matters_force_conduct) == (1, 0, 1)
    # A walk-in has no village: its town's own row follows too.
    town = VillageDaySummary.objects.get(village=village_a.parent, day=day)
    assert (town.matters_received, town.matters_unclassified, town.matters_force_conduct) == (1, 0, 1)


def test_a_matter_merged_after_its_day_is_no_longer_counted_received(duty, django_capture_on_commit_callbacks):
    merged, day = _received_yesterday(duty, "路灯还是坏的")
    surviving = walk_in(duty, "路灯坏了")
    assert UnitDaySummary.objects.get(unit=duty.unit, day=day).matters_received == 1
    with django_capture_on_commit_callbacks(execute=True):
        matter_merge(matter=merged, actor=duty, into=surviving)
    # A day left with nothing to count keeps no row.
    assert not UnitDaySummary.objects.filter(unit=duty.unit, day=day, matters_received__gt=0).exists()


def test_a_step_that_changes_no_count_rebuilds_nothing(duty, django_capture_on_commit_callbacks):
    matter, _ = _received_yesterday(duty, "邻居装修噪音扰民")
    matter_analyse(matter=matter, actor=duty, category=Category.OTHER, urgency=Matter.Urgency.NORMAL)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
        matter_start(matter=matter, actor=duty)
    assert callbacks == []
