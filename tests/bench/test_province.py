"""The province measurement's database: two tiny counties loaded side by side by the bench's loader. They must not
collide (codes, usernames, ID numbers), and the first county's people must see only their own county: its
county-wide departments on every page `make bench` times, and by id (404 for the other county's objects)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench import measure
from bench.loader import SECOND_COUNTY, SECOND_SEED, load
from evaluation.models import Callback
from evaluation.selectors.callbacks import callbacks_for_user, queue_counts
from evaluation.selectors.scores import scores_visible_to
from evaluation.services.callbacks import callbacks_create
from feedback.models import Category, Matter, TopicVisit
from feedback.scopes import matters_visible_to, topic_visits_visible_to
from jingshi_jiafang.core.models import Area, Household, HouseholdLink, Organisation, Unit, User
from jingshi_jiafang.core.scopes import (
    households_visible_to,
    organisations_visible_to,
    unit_subtree,
    units_visible_to,
    villages_visible_to,
)
from ledger.scopes import ledger_items_visible_to
from tests.ledger.helpers import delivered_item
from visits.demo import BUREAU_CODE

pytestmark = pytest.mark.django_db

TINY = 1 / 3000  # 200 households a county


@pytest.fixture
def two_counties():
    load(TINY)
    load(TINY, seed=SECOND_SEED, naming=SECOND_COUNTY)
    first = Unit.objects.get(code=BUREAU_CODE)
    second = Unit.objects.get(code=SECOND_COUNTY.unit_code(BUREAU_CODE))
    # The loader's callbacks are done; the last visit day of each county made again by the job gives the
    # evaluation centre's queue something of both counties.
    for bureau in (first, second):
        last = Callback.objects.filter(unit__in=units_of(bureau)).order_by("-source_date").first().source_date
        Callback.objects.filter(source_date=last).delete()
        callbacks_create(day=last)
    return first, second


def units_of(bureau: Unit) -> set[int]:
    return set(unit_subtree(bureau).values_list("pk", flat=True))


def test_two_counties_load_side_by_side_without_colliding(two_counties):
    first, second = two_counties

    assert Household.objects.count() == 400
    assert Unit.objects.filter(kind=Unit.Kind.BUREAU, parent__isnull=True).count() == 2
    assert second.name == "泗阳县公安局"
    # Each county has its own departments, stations, police rooms and villages, the same shape as the other's.
    assert Unit.objects.count() == len(units_of(first)) + len(units_of(second))
    assert len(units_of(first)) == len(units_of(second))
    villages = {
        bureau: Area.objects.filter(kind=Area.Kind.VILLAGE, unit__in=units_of(bureau)) for bureau in two_counties
    }
    assert villages[first].count() == villages[second].count() > 0
    assert not villages[second].filter(code__startswith="321322").exists()
    assert Household.objects.filter(village__in=villages[second]).count() == 200
    # The demo users of each county: the first's by their plain names, the second's prefixed.
    assert User.objects.get(username="legal").unit.parent == first
    assert User.objects.get(username="blegal").unit.parent == second
    assert User.objects.filter(username__startswith="b", unit__in=units_of(first)).count() == 0
    # Every household's officer, visit and matter stays inside its own county.
    for bureau in two_counties:
        units = units_of(bureau)
        households = Household.objects.filter(village__in=villages[bureau])
        assert not households.exclude(links__officer__unit__in=units).exists()
        assert not Matter.objects.filter(household__in=households).exclude(unit__in=units).exists()
        assert not Callback.objects.filter(household__in=households).exclude(unit__in=units).exists()
    # ID numbers carry the county's region code.
    second_household = Household.objects.filter(village__in=villages[second]).first()
    assert second_household.head_id_number.startswith("321323")


def test_a_loaded_county_is_not_loaded_twice(two_counties):
    with pytest.raises(RuntimeError):
        load(TINY, seed=SECOND_SEED, naming=SECOND_COUNTY)


COUNTY_WIDE = ["legal", "evaluator"]


@pytest.mark.parametrize("username", COUNTY_WIDE)
def test_a_county_wide_department_sees_its_own_county_only(two_counties, username):
    first, second = two_counties
    user = User.objects.get(username=username)
    units = units_of(first)

    villages = villages_visible_to(user)
    assert villages.count() == Area.objects.filter(kind=Area.Kind.VILLAGE, unit__in=units).count()
    assert not villages.exclude(unit__in=units).exists()
    assert not households_visible_to(user).exclude(village__unit__in=units).exists()
    assert households_visible_to(user).count() == 200
    assert not organisations_visible_to(user).exclude(village__unit__in=units).exists()
    assert Organisation.objects.exclude(village__unit__in=units).exists()
    assert matters_visible_to(user).count() == Matter.objects.filter(unit__in=units).count() > 0
    assert not callbacks_for_user(user).exclude(unit__in=units).exists()
    assert set(units_visible_to(user).values_list("pk", flat=True)) == units


def test_the_leader_and_the_evaluation_centre_rank_their_own_county(two_counties):
    first, _ = two_counties
    units = units_of(first)
    for username in ("leader", "evaluator"):
        scores = scores_visible_to(User.objects.get(username=username))
        assert scores.exists()
        assert not scores.exclude(user__unit__in=units).exclude(unit__in=units).exists()


def test_the_evaluation_centre_queue_holds_its_own_county(two_counties, client):
    first, _ = two_counties
    evaluator = User.objects.get(username="evaluator")
    due = Callback.objects.filter(state=Callback.State.DUE, due_date__lte=timezone.localdate())
    mine = due.filter(unit__in=units_of(first))
    assert due.exclude(unit__in=units_of(first)).exists()  # the other county has a queue too

    assert queue_counts(user=evaluator, today=timezone.localdate()).total == mine.count() > 0
    client.force_login(evaluator)
    response = client.get(reverse("evaluation:callback_queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == mine.count()


def test_the_other_county_is_out_of_scope_by_id(two_counties, client):
    first, second = two_counties
    theirs = Household.objects.filter(village__unit__in=units_of(second)).first()
    their_village = theirs.village
    their_matter = Matter.objects.filter(unit__in=units_of(second)).first()
    their_callback = Callback.objects.filter(unit__in=units_of(second)).first()
    ours = Household.objects.filter(village__unit__in=units_of(first)).first()

    client.force_login(User.objects.get(username="legal"))
    assert client.get(reverse("households:household_detail", args=[ours.pk])).status_code == 200
    assert client.get(reverse("households:household_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("households:area_detail", args=[their_village.pk])).status_code == 404
    assert client.get(reverse("feedback:matter_detail", args=[their_matter.pk])).status_code == 404
    client.force_login(User.objects.get(username="evaluator"))
    assert client.get(reverse("evaluation:callback_detail", args=[their_callback.pk])).status_code == 404


def test_the_bench_pages_of_the_first_county_show_the_first_county(two_counties, client):
    """The pages `make bench` times, as the first county's users: each answers with its own county's rows."""
    first, _ = two_counties
    units = units_of(first)
    pages = measure._page_list()
    users = {username for _, username, *_ in pages}
    assert all(User.objects.get(username=username).unit_id in units for username in users)
    timeline = next(url for page, _, url, *_ in pages if page == "household.timeline")
    household = Household.objects.get(pk=int(timeline.strip("/").split("/")[-1]))
    assert household.village.unit_id in units

    client.force_login(User.objects.get(username="legal"))
    villages = client.get(reverse("households:area_list")).context["page"]
    assert villages.paginator.count == Area.objects.filter(kind=Area.Kind.VILLAGE, unit__in=units).count()
    assert all(village.unit_id in units for village in villages.object_list)
    matters = client.get(reverse("feedback:matter_list"), {"queue": "all"}).context["page"]
    assert matters.paginator.count == Matter.objects.filter(unit__in=units).count() > 0
    assert all(matter.unit_id in units for matter in matters.object_list)
    client.force_login(User.objects.get(username="officer"))
    households = client.get(reverse("households:household_list")).context["page"]
    assert households.paginator.count > 0
    assert all(h.village.unit_id in units for h in households.object_list)


def test_the_dashboard_and_coverage_of_a_county_leader_are_their_county_s(two_counties):
    from evaluation.selectors.dashboard import whole_reach_is_county
    from visits.coverage import coverage_counts_keep

    first, _ = two_counties
    leader = User.objects.get(username="leader")
    assert whole_reach_is_county(leader)  # linked to every town of their county, none of the other's
    coverage_counts_keep()
    client = Client()
    client.force_login(User.objects.get(username="legal"))
    rows = client.get(reverse("visits:coverage")).context["rows"]
    assert {row.area.unit_id for row in rows} <= units_of(first)
    assert sum(row.households for row in rows) == Household.objects.filter(village__unit__in=units_of(first)).count()


def test_the_other_county_s_ledger_items_and_topic_visits_are_out_of_reach(two_counties):
    their_officer = User.objects.get(username=SECOND_COUNTY.username("officer"))
    their_household = HouseholdLink.objects.active().filter(officer=their_officer).first().household
    item = delivered_item(their_officer, their_household)
    topic = TopicVisit.objects.create(
        leader=User.objects.get(username=SECOND_COUNTY.username("leader")),
        category=Category.PUBLIC_SECURITY,
        month=timezone.localdate().replace(day=1),
        title="防范电信诈骗",
        departments="刑事侦查大队",
    )

    for username in COUNTY_WIDE:
        ours, theirs = User.objects.get(username=username), User.objects.get(username=SECOND_COUNTY.username(username))
        assert not ledger_items_visible_to(ours).filter(pk=item.pk).exists()
        assert ledger_items_visible_to(theirs).filter(pk=item.pk).exists()
        assert not topic_visits_visible_to(ours).filter(pk=topic.pk).exists()
        assert topic_visits_visible_to(theirs).filter(pk=topic.pk).exists()


def test_province_figures_take_the_median_page_and_count_extra_queries():
    alone = {page: {"ms": 10.0, "queries": 9} for page in measure.PAGE_FIGURES}
    two = {page: {"ms": 11.0, "queries": 9} for page in measure.PAGE_FIGURES}
    two["dashboard"] = {"ms": 30.0, "queries": 10}  # one page three times slower and a query more

    figures = measure.province_figures(alone, two)

    assert figures["province.pages_ratio"] == {"value": 1.1, "unit": "×", "target": "≤ 1.3", "ok": True}
    assert figures["province.worst_page_ratio"]["value"] == 3.0
    assert figures["province.extra_queries"] == {"value": 1, "unit": "queries", "target": "0", "ok": False}
    assert {"province.pages_ratio", "province.extra_queries"} <= set(measure.REQUIRED)
