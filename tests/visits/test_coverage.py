from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import Household, User
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, UserFactory
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_a(village_a, village_b):
    recent, old, never = (HouseholdFactory(village=village_a) for _ in range(3))
    VisitFactory(household=recent, visited_at=timezone.now() - timedelta(days=3))
    VisitFactory(household=old, visited_at=timezone.now() - timedelta(days=200))
    Household.objects.filter(pk=recent.pk).update(last_visited_at=timezone.now() - timedelta(days=3))
    Household.objects.filter(pk=old.pk).update(last_visited_at=timezone.now() - timedelta(days=200))
    HouseholdFactory(village=village_b)
    return {"recent": recent, "old": old, "never": never, "town": village_a.parent}


def test_leader_sees_coverage_of_the_linked_town_only(client, town_a, village_a):
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=town_a["town"])
    log_in_as(client, leader)
    response = client.get(reverse("visits:coverage"))
    (row,) = response.context["rows"]
    assert row.village == village_a
    assert (row.households, row.visited, row.never_visited, row.overdue) == (3, 1, 1, 2)
    overdue = list(response.context["page"].object_list)
    assert overdue == [town_a["never"], town_a["old"]]


def test_period_and_overdue_days_change_the_figures(client, town_a):
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    since = (timezone.localdate() - timedelta(days=365)).isoformat()
    response = client.get(reverse("visits:coverage"), {"from": since, "overdue_days": "365"})
    totals = response.context["totals"]
    assert totals.households == 4
    assert totals.visited == 2
    assert totals.overdue == 2  # the never-visited households of both villages


def test_area_filter_limits_the_villages(client, town_a, village_a):
    log_in_as(client, UserFactory(role=User.Role.LEGAL))
    response = client.get(reverse("visits:coverage"), {"area": town_a["town"].pk})
    assert [row.village for row in response.context["rows"]] == [village_a]


def test_officer_without_unit_head_cannot_see_coverage(client, alice):
    client.force_login(alice)
    assert client.get(reverse("visits:coverage")).status_code == 403


def test_coverage_query_count_does_not_grow(client, village_a, django_assert_max_num_queries):
    for _ in range(30):
        VisitFactory(household=HouseholdFactory(village=village_a))
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    # One more than before organisations (单位) had their own line beside the households' coverage.
    with django_assert_max_num_queries(13):
        client.get(reverse("visits:coverage"))
