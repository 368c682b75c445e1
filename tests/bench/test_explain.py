"""The hot queries of the pages `make bench` times each have an index to run on (PostgreSQL's EXPLAIN).

The test database is tiny, so the planner would rightly scan whole tables; sequential scans are switched off for
the EXPLAIN so the plan shows whether an index that serves the filter and the sort exists at all."""

import pytest
from django.db import connection, transaction
from django.db.models import Count, F

from evaluation.models import Callback
from feedback.models import Matter
from feedback.selectors import all_matters
from jingshi_jiafang.core.crypto import keyed_hash
from jingshi_jiafang.core.models import Household, HouseholdLink, User
from jingshi_jiafang.core.selectors import household_list
from tests.core.factories import UserFactory
from visits.models import CoverageDay, Visit

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.planner]


def plan_of(queryset, *, without_sorting: bool = False) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if without_sorting:
            cursor.execute("SET LOCAL enable_sort = off")
        return queryset.explain()


# (what it is, the indexes that serve it (a name's start: Django's own carry a hash), the query)
HOT_QUERIES = [
    (
        "an officer's own households (the household list, my households)",
        ("householdlink_officer_idx", "core_householdlink_officer_id"),
        lambda: HouseholdLink.objects.filter(officer_id=1, end_date__isnull=True).values("household"),
    ),
    (
        "search by ID number: its keyed hash, never the encrypted text",
        ("core_household_head_id_number_hash",),
        lambda: Household.objects.filter(head_id_number_hash=keyed_hash("x")),
    ),
    ("search by phone", ("household_phone_idx",), lambda: Household.objects.filter(phone="13800000000")),
    (
        "a village's households by name, and the village list's count per village",
        ("household_village_name_idx", "core_household_village_id", "household_village_due_idx"),
        lambda: Household.objects.filter(village_id=1).values("pk"),
    ),
    (
        "who is due first: never visited, then longest since the last visit (the coverage page's overdue list)",
        ("household_due_idx",),
        lambda: Household.objects.order_by(F("last_visited_at").asc(nulls_first=True), "pk")[:20],
    ),
    (
        "a village's households, who is due first (the coverage page drilled into a village)",
        ("household_village_due_idx",),
        lambda: Household.objects.filter(village_id=1).order_by(F("last_visited_at").asc(nulls_first=True), "pk")[:20],
    ),
    (
        "a household's timeline, newest first",
        ("visit_household_time_idx",),
        lambda: Visit.objects.filter(household_id=1).order_by("-visited_at")[:20],
    ),
    (
        "an officer's diary, newest first",
        ("visit_visitor_time_idx",),
        lambda: Visit.objects.filter(visitor_id=1).order_by("-visited_at")[:20],
    ),
    (
        "a unit's matters in a state",
        ("matter_unit_state_idx", "feedback_matter_unit_id"),
        lambda: Matter.objects.filter(unit_id=1, state="handling"),
    ),
    (
        "the dashboard's funnel: a month's matters by state, from the index alone",
        ("matter_received_village_idx",),
        lambda: (
            Matter.objects.filter(
                village_id__in=[1, 2],
                created_at__gte="2026-01-01T00:00:00+08:00",
                created_at__lt="2026-02-01T00:00:00+08:00",
            )
            .values("state")
            .annotate(n=Count("*"))
        ),
    ),
    (
        "the coverage page's kept counts: a village's first day on or after a date",
        ("coverageday_once_per_day",),
        lambda: CoverageDay.objects.filter(village_id=1, day__gte="2026-01-01").order_by("day")[:1],
    ),
    (
        "the callback queue: due callbacks by day",
        ("callback_queue_idx",),
        lambda: Callback.objects.filter(state="due", due_date__lte="2026-01-01"),
    ),
    (
        "the callback queue's counts of today, retries and overdue",
        ("callback_queue_idx",),
        lambda: Callback.objects.filter(state="due", due_date__lte="2026-01-01").values("state").annotate(n=Count("*")),
    ),
    (
        "the callbacks an evaluator did today (the queue's comments to raise)",
        ("callback_done_by_time_idx",),
        lambda: Callback.objects.filter(done_by_id=1, done_at__gte="2026-01-01T00:00:00+08:00").order_by("-done_at"),
    ),
    (
        "the officer's villages for the household list's area choices, read once",
        ("householdlink_officer_idx", "core_householdlink_officer_id"),
        lambda: (
            HouseholdLink.objects.filter(officer_id=1, end_date__isnull=True).values("household__village").distinct()
        ),
    ),
]

# Answered from the index alone (no table rows read), whatever the village's size.
INDEX_ONLY_QUERIES = [
    (
        "the village list's household count per village",
        ("core_household_village_id", "household_village_due_idx"),
        lambda: Household.objects.filter(village_id=1).order_by().values("village").annotate(n=Count("*")),
    ),
]


@pytest.mark.parametrize(("what", "indexes", "query"), HOT_QUERIES, ids=[what for what, _, _ in HOT_QUERIES])
def test_hot_query_runs_on_an_index(what, indexes, query):
    plan = plan_of(query())

    assert "Seq Scan" not in plan, plan
    assert any(f"using {index}" in plan for index in indexes), plan


@pytest.mark.parametrize(
    ("what", "indexes", "query"), INDEX_ONLY_QUERIES, ids=[what for what, _, _ in INDEX_ONLY_QUERIES]
)
def test_count_reads_the_index_only(what, indexes, query):
    plan = plan_of(query())

    assert any(f"Index Only Scan using {index}" in plan for index in indexes), plan


def test_an_officers_own_list_is_read_from_his_links_not_in_the_countys_due_order(alice_household):
    """In the order of household_due_idx the database walked the county's due households looking for the
    officer's: one who had visited all of his waited for the walk to reach the end (seconds, at county scale).
    The planner is told to avoid sorting, as it would on a large county: the order must not be one that index
    can give."""
    plan = plan_of(household_list(user=alice_household.links.get().officer)[:25], without_sorting=True)

    assert "householdlink_officer_idx" in plan, plan
    assert "household_due_idx" not in plan, plan


def test_a_unit_heads_list_takes_his_links_and_his_villages_each_from_an_index(bob, alice_household):
    """Two subqueries ORed left the database no index for either: it read every household of the county to find
    a station head's (0.1-0.5 s, and his home 4-7 s, at county scale). They are read as lists first."""
    plan = plan_of(household_list(user=bob)[:25])

    assert "hashed SubPlan" not in plan, plan
    assert "Index Cond: (village_id = " in plan, plan


def test_the_matter_lists_order_is_read_from_its_index(village_a):
    """全部 of the legal department (and of the evaluation centre): a county's matters in the lists' order, read
    from matter_listed_order_idx rather than joined and sorted whole (1.5 s at county scale); its expression is
    the lists' own, states in the same order."""
    legal = UserFactory(role=User.Role.LEGAL, unit=village_a.unit.parent)

    plan = plan_of(all_matters(user=legal)[:25], without_sorting=True)

    assert "matter_listed_order_idx" in plan, plan


def test_page_queries_run_without_parallel_workers_or_jit_compiling():
    """settings: DATABASE_PARALLEL_WORKERS (0 unless set), so a page's short queries do not start worker
    processes on a 2-core server, and no JIT compiling, which cost more than the queries it compiled."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
