from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import Household, User
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, UserFactory, VillageFactory
from tests.visits.factories import VisitFactory
from visits.coverage import coverage_counts_keep
from visits.models import CoverageCount, CoverageDay
from visits.tasks import keep_coverage_counts_task

pytestmark = pytest.mark.django_db


def _visited(household, days_ago):
    moment = timezone.now() - timedelta(days=days_ago)
    VisitFactory(household=household, visited_at=moment)
    Household.objects.filter(pk=household.pk).update(last_visited_at=moment)


@pytest.fixture
def town_a(village_a, village_b):
    recent, old, never = (HouseholdFactory(village=village_a) for _ in range(3))
    _visited(recent, 3)
    _visited(old, 200)
    HouseholdFactory(village=village_b)
    return {"recent": recent, "old": old, "never": never, "town": village_a.parent}


def _figures(row):
    return (row.households, row.visited, row.never_visited, row.overdue)


@pytest.fixture(params=["live", "kept"])
def counting(request):
    """Every figure is the same whether the page counts live or reads the hourly job's counts."""
    return request.param


def _keep_if(counting):
    if counting == "kept":
        coverage_counts_keep()


def test_leader_sees_coverage_of_the_linked_town_only(client, town_a, village_a, counting):
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=town_a["town"])
    _keep_if(counting)
    log_in_as(client, leader)
    response = client.get(reverse("visits:coverage"))
    (row,) = response.context["rows"]
    assert row.area == village_a
    assert _figures(row) == (3, 1, 1, 2)
    overdue = list(response.context["page"].object_list)
    assert overdue == [town_a["never"], town_a["old"]]
    assert f'href="{town_a["old"].get_absolute_url()}"' in response.content.decode()  # a row opens the household


def test_period_and_overdue_days_change_the_figures(client, town_a, counting):
    _keep_if(counting)
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    since = (timezone.localdate() - timedelta(days=365)).isoformat()
    response = client.get(reverse("visits:coverage"), {"from": since, "overdue_days": "365"})
    assert _figures(response.context["totals"]) == (4, 2, 2, 2)  # overdue: the never-visited of both villages


def test_county_wide_rows_are_towns_that_open_their_villages(client, town_a, village_a, village_b, counting):
    VillageFactory(parent=village_a.parent, unit=village_a.unit, name="东山村")
    _keep_if(counting)
    log_in_as(client, UserFactory(role=User.Role.LEGAL))
    response = client.get(reverse("visits:coverage"))
    assert response.context["by_town"]
    town_rows = {row.area: row for row in response.context["rows"]}
    assert _figures(town_rows[village_a.parent]) == (3, 1, 1, 2)
    assert _figures(town_rows[village_b.parent]) == (1, 0, 1, 1)
    assert len(town_rows[village_a.parent].villages) == 2
    assert f"?area={village_a.parent.pk}&amp;from=" in response.content.decode()

    response = client.get(reverse("visits:coverage"), {"area": town_a["town"].pk})
    assert not response.context["by_town"]
    assert [row.area.name for row in response.context["rows"]] == ["东湖村", "东山村"]
    # A town's village opens on its own, with its overdue households; the village shown links nowhere further.
    assert f"?area={village_a.pk}&amp;from=" in response.content.decode()
    response = client.get(reverse("visits:coverage"), {"area": village_a.pk})
    assert 'data-testid="coverage-row-link"' not in response.content.decode()
    # And back up: the village's trail leads to its town and to the whole county, and on to the village's page.
    trail = response.content.decode().split('data-testid="coverage-trail"')[1].split("</nav>")[0]
    assert f"?area={village_a.parent.pk}&amp;from=" in trail and '<a href="?from=' in trail
    assert f'href="{reverse("households:area_detail", args=[village_a.pk])}"' in trail
    assert client.get(reverse("households:area_detail", args=[village_a.pk])).status_code == 200


def test_a_village_as_its_dashboard_links_shows_that_village_alone(client, town_a, village_a, counting):
    other = VillageFactory(parent=village_a.parent, unit=village_a.unit, name="东山村")
    _visited(HouseholdFactory(village=other), 1)
    _keep_if(counting)
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    response = client.get(reverse("visits:coverage"), {"area": village_a.pk})
    (row,) = response.context["rows"]
    assert row.area == village_a and _figures(row) == (3, 1, 1, 2)
    assert list(response.context["page"].object_list) == [town_a["never"], town_a["old"]]
    assert f'<option value="{village_a.pk}" selected>' in response.content.decode()


def test_a_cadre_of_some_villages_of_a_town_is_told_its_figures_are_those_villages_alone(
    client, town_a, village_a, counting
):
    VillageFactory(parent=village_a.parent, unit=village_a.unit, name="东山村")
    cadre = UserFactory(role=User.Role.CADRE)
    AreaLinkFactory(user=cadre, area=village_a)
    _keep_if(counting)
    log_in_as(client, cadre)
    for params in ({}, {"area": village_a.parent.pk}):
        page = client.get(reverse("visits:coverage"), params).content.decode()
        assert 'data-testid="partial-town"' in page and "东关镇的数字只含您能查看的东湖村" in page
    assert (
        'data-testid="partial-town"'
        not in client.get(reverse("visits:coverage"), {"area": village_a.pk}).content.decode()
    )
    # Whoever sees the whole town reads no such note.
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    assert 'data-testid="partial-town"' not in client.get(reverse("visits:coverage")).content.decode()


def test_an_area_out_of_reach_is_refused_and_the_page_says_so(client, town_a, village_b):
    head_b = UserFactory(unit=village_b.parent.unit, is_unit_head=True)
    client.force_login(head_b)
    response = client.get(reverse("visits:coverage"), {"area": town_a["town"].pk})
    assert [row.area for row in response.context["rows"]] == [village_b] and response.context["filter_errors"]


def test_kept_counts_say_when_and_miss_later_visits_until_kept_again(client, town_a):
    coverage_counts_keep()
    _visited(town_a["never"], 0)
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    response = client.get(reverse("visits:coverage"))
    assert "住户数据截至" in response.content.decode()
    assert response.context["totals"].visited == 1
    assert town_a["never"] not in response.context["page"].object_list  # the list itself is live

    keep_coverage_counts_task.delay()
    response = client.get(reverse("visits:coverage"))
    assert response.context["totals"].visited == 2


def test_a_period_that_ended_before_the_counts_is_counted_live(client, town_a):
    coverage_counts_keep()
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    today = timezone.localdate()
    period = {"from": (today - timedelta(days=210)).isoformat(), "to": (today - timedelta(days=190)).isoformat()}
    response = client.get(reverse("visits:coverage"), period)
    assert response.context["counted_at"] is None
    assert "住户数据为实时统计" in response.content.decode()
    assert response.context["totals"].visited == 1  # the old visit; the recent household is not "visited" then


def test_keeping_twice_writes_the_same_counts(town_a, village_a, village_b):
    HouseholdFactory(village=village_a, last_visited_at=timezone.now() - timedelta(days=3))

    def snapshot():
        counts = set(CoverageCount.objects.values_list("village", "households", "never_visited"))
        return counts, set(CoverageDay.objects.values_list("village", "day", "visited_since"))

    coverage_counts_keep()
    first = snapshot()
    call_command("keep_coverage_counts", stdout=None)
    assert snapshot() == first
    counts, days = first
    assert counts == {(village_a.pk, 4, 1), (village_b.pk, 1, 1)}
    today = timezone.localdate()
    assert days == {
        (village_a.pk, today - timedelta(days=3), 2),
        (village_a.pk, today - timedelta(days=200), 3),
    }


def test_the_job_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["keep-coverage-counts"]
    assert entry["task"] == "visits.tasks.keep_coverage_counts_task"


def test_overdue_list_pages_without_counting(client, village_a):
    households = [HouseholdFactory(village=village_a) for _ in range(settings.PAGE_SIZE + 2)]
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    first = client.get(reverse("visits:coverage"))
    assert first.context["page"].has_next() and "第 1 页" in first.content.decode()
    assert "page=2#overdue" in first.content.decode()  # the next page opens at the list, not the page's top
    second = client.get(reverse("visits:coverage"), {"page": "2"})
    assert {h.pk for h in second.context["page"].object_list} == {h.pk for h in households[-2:]}
    assert not second.context["page"].has_next()
    past_the_end = client.get(reverse("visits:coverage"), {"page": "9"})
    assert past_the_end.context["page"].number == 1


def test_area_filter_limits_the_villages(client, town_a, village_a):
    log_in_as(client, UserFactory(role=User.Role.LEGAL))
    response = client.get(reverse("visits:coverage"), {"area": town_a["town"].pk})
    assert [row.area for row in response.context["rows"]] == [village_a]


def test_officer_without_unit_head_cannot_see_coverage(client, alice):
    client.force_login(alice)
    assert client.get(reverse("visits:coverage")).status_code == 403


def test_coverage_query_count_does_not_grow(client, village_a, village_b, django_assert_max_num_queries):
    for village in (village_a, village_b):
        for _ in range(30):
            VisitFactory(household=HouseholdFactory(village=village))
    coverage_counts_keep()
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    with django_assert_max_num_queries(12):
        client.get(reverse("visits:coverage"))


def test_rates_are_shown_to_one_decimal_as_on_the_dashboard():
    # Walkthrough 13a: one village read 4.6% on the dashboard and 5% here (widthratio rounds to whole numbers).
    from jingshi_jiafang.core.templatetags.rates import percent_of

    assert (percent_of(3, 65), percent_of(1, 2), percent_of(0, 0)) == ("4.6%", "50.0%", "—")
