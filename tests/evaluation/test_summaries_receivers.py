"""A late or corrected visit rebuilds its old day's summary row, after its transaction commits."""

from datetime import timedelta

import pytest
from django.db import transaction

from evaluation.models import VillageDaySummary
from evaluation.services.summaries import summaries_refresh
from tests.evaluation.summaries_data import DAY, at, build_day
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
