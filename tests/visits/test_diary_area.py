"""The diary filtered by area: the records behind a dashboard figure, within the reader's scope."""

import pytest
from django.urls import reverse

from tests.conftest import log_in_as
from tests.visits.factories import OrganisationVisitFactory, VisitFactory
from visits.models import Finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(alice, alice_household, charlie, charlie_household):
    found = VisitFactory(visitor=alice, household=alice_household)
    Finding.objects.create(visit=found, kind=Finding.Kind.DISPUTE, description="纠纷")
    plain = VisitFactory(visitor=alice, household=alice_household)
    other = VisitFactory(visitor=charlie, household=charlie_household)
    return found, plain, other


def _listed(client, user, **params) -> list[int]:
    log_in_as(client, user)
    response = client.get(reverse("visits:diary"), params)
    assert response.status_code == 200
    return sorted(visit.pk for visit in response.context["page"].object_list)


def test_a_unit_head_reads_the_visits_of_a_village_of_the_unit(client, bob, village_a, visits):
    found, plain, _ = visits
    assert _listed(client, bob, area=village_a.pk) == sorted([found.pk, plain.pk])
    assert _listed(client, bob, area=village_a.parent_id, finding="dispute") == [found.pk]


def test_an_area_out_of_reach_is_not_read(client, bob, charlie, village_a, village_b, visits):
    found, plain, other = visits
    # Out of reach the filter is refused: the page falls back to the reader's own diary.
    assert _listed(client, bob, area=village_b.pk) == []
    assert _listed(client, charlie, area=village_a.pk) == [other.pk]


def test_the_heading_names_the_area_and_the_filter(client, bob, village_a, visits):
    log_in_as(client, bob)
    page = client.get(reverse("visits:diary"), {"area": village_a.pk, "finding": "dispute"}).content.decode()
    assert f"{village_a.full_name} 走访记录" in page and "发现矛盾纠纷" in page


def test_households_and_organisations_are_listed_apart_and_the_households_counted_once(
    client, bob, alice, village_a, visits
):
    found, plain, _ = visits
    organisation_visit = OrganisationVisitFactory(visitor=alice, organisation__village=village_a)
    assert _listed(client, bob, area=village_a.pk, visited="household") == sorted([found.pk, plain.pk])
    assert _listed(client, bob, area=village_a.pk, visited="organisation") == [organisation_visit.pk]
    page = client.get(reverse("visits:diary"), {"area": village_a.pk, "visited": "household"}).content.decode()
    # Two visits to alice's one household: the dashboard's 走访户次 2 and 走访户数 1.
    assert "共 2 次走访(住户),走访住户 1 户" in page
