import importlib
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from evaluation.models import UnitDaySummary, VillageDaySummary, VillageMonthSummary
from evaluation.models.summaries import COUNT_FIELDS, RUN_MONTHS, first_visits_field
from evaluation.services.summaries import summaries_refresh, summaries_refresh_range
from evaluation.tasks import refresh_summaries_task
from tests.core.factories import HouseholdFactory
from tests.evaluation.summaries_data import DAY, at, build_day
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


def _counts(row) -> dict:
    return {field: value for field in COUNT_FIELDS if (value := getattr(row, field))}


def _table() -> list[dict]:
    return [model_to_dict(row) | {"id": row.pk} for row in VillageDaySummary.objects.order_by("pk")] + [
        model_to_dict(row) | {"id": row.pk} for row in UnitDaySummary.objects.order_by("pk")
    ]


def test_refresh_counts_a_hand_built_day():
    built = build_day()
    summaries_refresh(day=DAY)

    first = VillageDaySummary.objects.get(village=built.village_1, day=DAY)
    assert first.town == built.town
    assert _counts(first) == {
        "visits_day": 1,
        "visits_night": 1,
        "visits_topic": 1,
        "households_visited": 2,
        # h1's first visit of March (its last was in February); h2 was visited on 2 March already.
        "households_first_of_month": 1,
        "corrections": 2,
        "disputes_found": 2,
        "disputes_mediated": 1,
        "problems_solved_on_visit": 1,
        "problems_solved_in_ledger": 1,
        "stability_info": 1,
        "case_clues": 1,
        "night_plans": 1,
        "night_kept": 1,
        "matters_received": 1,
        "matters_public_security": 1,
        "matters_closed_on_time": 1,
        "matters_closed_late": 1,
        "callbacks_made": 2,
        "callbacks_reached": 2,
        "callbacks_confirmed": 1,
        "callbacks_denied": 1,
        "satisfied": 1,
        "not_satisfied": 1,
        "ledger_closed_on_time": 1,
        "ledger_closed_late": 1,
    }
    second = VillageDaySummary.objects.get(village=built.village_2, day=DAY)
    assert _counts(second) == {
        "visits_day": 1,
        "households_visited": 1,
        # h3 was never visited before: its first visit of every run of months ending in March.
        **{first_visits_field(n): 1 for n in range(1, RUN_MONTHS + 1)},
        "night_plans": 1,
        "night_missed": 1,
        "matters_received": 1,
        "matters_unclassified": 1,
        "callbacks_made": 1,
        "callbacks_given_up": 1,
    }
    # The matter without a household (a talk-room walk-in) counts for its unit, and in its unit's town's own row,
    # so that the town's and the county's figures hold it as the monthly report does.
    unplaced = VillageDaySummary.objects.get(village=built.town, day=DAY)
    assert unplaced.town == built.town
    assert _counts(unplaced) == {"matters_received": 1, "matters_litigation": 1}
    room_1 = UnitDaySummary.objects.get(unit=built.room_1, day=DAY)
    assert (room_1.matters_received, room_1.matters_public_security, room_1.matters_litigation) == (2, 1, 1)
    assert room_1.visits_day + room_1.visits_night + room_1.visits_topic == 3
    assert UnitDaySummary.objects.get(unit=built.room_2, day=DAY).night_missed == 1


def test_first_visits_of_a_month_add_up_to_the_households_visited_in_it():
    build_day()
    summaries_refresh_range(start=DAY.replace(day=1) - timedelta(days=10), end=DAY + timedelta(days=3))
    march = VillageDaySummary.objects.filter(day__year=2026, day__month=3)
    # h1, h2 (on the 2nd) and h3: three households visited in March, whatever the number of visits.
    assert sum(row.households_first_of_month for row in march) == 3
    # In February and March together: h1 counts in February (its visit of the 18th is not its first of the two
    # months), h2 and h3 in March.
    february = VillageDaySummary.objects.filter(day__year=2026, day__month=2)
    assert sum(row.households_first_of_month for row in february) == 1
    assert sum(row.households_first_of_2_months for row in march) == 2


def test_a_household_is_first_visited_in_a_run_as_long_as_the_months_since_its_last_visit():
    household = HouseholdFactory()
    VisitFactory(household=household, visited_at=at(date(2025, 11, 20), 10))
    VisitFactory(household=household, visited_at=at(DAY, 10))
    summaries_refresh(day=DAY)
    row = VillageDaySummary.objects.get(day=DAY)
    # Four months since November (December, January, February between): first of March, of the two months to
    # March, …, of the four; not of five months, which hold the November visit.
    assert [getattr(row, first_visits_field(n)) for n in range(1, RUN_MONTHS + 1)] == [1] * 4 + [0] * 8


def test_a_range_refresh_writes_what_day_by_day_refreshes_write():
    build_day()
    start, end = DAY - timedelta(days=30), DAY + timedelta(days=2)
    summaries_refresh_range(start=start, end=end)
    by_range = sorted((row.day, row.village_id, tuple(_counts(row).items())) for row in VillageDaySummary.objects.all())
    VillageDaySummary.objects.all().delete()
    day = start
    while day <= end:
        summaries_refresh(day=day)
        day += timedelta(days=1)
    by_day = sorted((row.day, row.village_id, tuple(_counts(row).items())) for row in VillageDaySummary.objects.all())
    assert by_range == by_day


def test_the_task_run_twice_changes_nothing_the_second_time():
    build_day()
    refresh_summaries_task.delay(DAY.isoformat())
    table = _table()
    assert table
    assert refresh_summaries_task.delay(DAY.isoformat()).get().endswith("0 village rows, 0 unit rows written")
    assert _table() == table


def test_the_command_run_twice_changes_nothing_the_second_time():
    build_day()
    call_command("refresh_summaries", "--date", DAY.isoformat(), stdout=io.StringIO())
    table = _table()
    out = io.StringIO()
    call_command(
        "refresh_summaries", "--from", (DAY - timedelta(days=3)).isoformat(), "--to", DAY.isoformat(), stdout=out
    )
    assert "0 village rows and 0 unit rows written" in out.getvalue()
    assert _table() == table


def test_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("refresh_summaries", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="must not be after"):
        call_command("refresh_summaries", "--from", "2026-03-02", "--to", "2026-03-01")


def test_a_day_with_nothing_left_loses_its_rows():
    built = build_day()
    summaries_refresh(day=DAY)
    assert VillageDaySummary.objects.filter(village=built.village_2, day=DAY).exists()
    from evaluation.models import Callback, CallbackAttempt
    from feedback.models import Matter
    from visits.models import NightVisitPlan, Visit

    CallbackAttempt.objects.filter(callback__village=built.village_2).delete()
    Callback.objects.filter(village=built.village_2).delete()
    Visit.objects.filter(village=built.village_2).delete()
    NightVisitPlan.objects.filter(village=built.village_2).delete()
    Matter.objects.filter(household__village=built.village_2).delete()
    summaries_refresh(day=DAY)
    assert not VillageDaySummary.objects.filter(village=built.village_2, day=DAY).exists()


@pytest.mark.postgres
def test_refresh_counts_the_same_day_in_postgresql():
    """Local days (Asia/Shanghai) are cut by the database: the arithmetic above, on PostgreSQL."""
    test_refresh_counts_a_hand_built_day()


def test_the_daily_and_hourly_jobs_are_scheduled_and_the_hourly_one_refreshes_today(settings):
    from django.utils import timezone

    from evaluation.tasks import refresh_today_summaries_task

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"evaluation.tasks.refresh_summaries_task", "evaluation.tasks.refresh_today_summaries_task"} <= tasks
    assert refresh_today_summaries_task.delay().get().startswith(timezone.localdate().isoformat())


def _months() -> set[tuple]:
    return {
        (row.month, row.village_id, row.town_id, tuple(_counts(row).items()))
        for row in VillageMonthSummary.objects.all()
    }


def _day_rows_summed_by_month() -> set[tuple]:
    sums: dict[tuple, dict] = {}
    for row in VillageDaySummary.objects.all():
        counts = sums.setdefault((row.day.replace(day=1), row.village_id, row.town_id), {})
        for name, value in _counts(row).items():
            counts[name] = counts.get(name, 0) + value
    return {
        (*key, tuple(sorted(counts.items(), key=lambda item: COUNT_FIELDS.index(item[0]))))
        for key, counts in sums.items()
    }


def test_month_rows_are_the_sums_of_their_day_rows():
    build_day()
    summaries_refresh_range(start=DAY.replace(day=1) - timedelta(days=40), end=DAY + timedelta(days=3))
    assert {month for month, *_ in _months()} == {date(2026, 2, 1), date(2026, 3, 1)}
    assert _months() == _day_rows_summed_by_month()
    # The hourly job's one-day rebuild leaves the months as they were.
    before = _months()
    refresh_summaries_task.delay(DAY.isoformat())
    assert _months() == before


def test_a_visit_entered_late_updates_its_month(django_capture_on_commit_callbacks):
    built = build_day()
    summaries_refresh(day=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        VisitFactory(visitor=built.officer_2, household=built.households[2], visited_at=at(DAY, 19))
    assert _months() == _day_rows_summed_by_month()
    row = VillageMonthSummary.objects.get(village=built.village_2, month=DAY.replace(day=1))
    assert row.visits_day == 2


def test_the_migration_fills_the_months_of_existing_day_rows():
    from django.apps import apps

    backfill = importlib.import_module("evaluation.migrations.0008_village_month_summaries").backfill
    build_day()
    summaries_refresh_range(start=DAY - timedelta(days=40), end=DAY)
    expected = _months()
    VillageMonthSummary.objects.all().delete()
    backfill(apps, None)
    assert _months() == expected
