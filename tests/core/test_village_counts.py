"""The village list's household counts: county-wide readers get them per village of the page, scoped readers
only their own households."""

import pytest
from django.urls import reverse

from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.selectors import villages_with_household_counts
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, HouseholdLinkFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [User.Role.LEGAL, User.Role.EVALUATOR])
def test_county_wide_reader_sees_each_villages_household_count(client, village_a, village_b, role):
    HouseholdFactory.create_batch(3, village=village_a)
    HouseholdFactory.create_batch(2, village=village_b)
    empty = VillageFactory(parent=village_a.parent, unit=village_a.unit)
    reader = log_in_as(client, UserFactory(role=role, unit=village_a.unit.parent))

    counts = {v.pk: v.household_count for v in villages_with_household_counts(user=reader)}

    assert counts == {village_a.pk: 3, village_b.pk: 2, empty.pk: 0}
    response = client.get("/areas/")
    assert response.status_code == 200
    assert "3 户" in response.content.decode() and "0 户" in response.content.decode()


def test_officer_counts_only_linked_households(alice, village_a):
    HouseholdLinkFactory(officer=alice, household=HouseholdFactory(village=village_a))
    HouseholdFactory.create_batch(4, village=village_a)

    villages = villages_with_household_counts(user=alice)

    assert [(v.pk, v.household_count) for v in villages] == [(village_a.pk, 1)]


def test_county_wide_village_list_queries_do_not_grow(client, village_a, django_assert_max_num_queries):
    for _ in range(30):
        HouseholdFactory(village=VillageFactory(parent=village_a.parent, unit=village_a.unit))
    log_in_as(client, UserFactory(role=User.Role.LEGAL, unit=village_a.unit.parent))
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        assert client.get("/areas/").status_code == 200


def test_a_cadres_village_page_leads_to_its_figures_and_an_officers_does_not(client, alice, village_a):
    cadre = log_in_as(client, UserFactory(role=User.Role.CADRE, unit=village_a.unit.parent))
    AreaLinkFactory(user=cadre, area=village_a)
    dashboard = reverse("evaluation:dashboard_area", args=[village_a.pk])
    coverage = f"{reverse('visits:coverage')}?area={village_a.pk}"

    page = client.get(village_a.get_absolute_url()).content.decode()

    assert f'href="{dashboard}"' in page and f'href="{coverage}"' in page
    assert client.get(dashboard).status_code == client.get(coverage).status_code == 200
    HouseholdLinkFactory(officer=alice, household=HouseholdFactory(village=village_a))
    log_in_as(client, alice)
    page = client.get(village_a.get_absolute_url()).content.decode()
    assert dashboard not in page and reverse("visits:coverage") not in page
