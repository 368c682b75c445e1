"""结对走访: a visit of its own kind, offered and accepted only at the visitor's own paired household."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, PairingLinkFactory, UserFactory
from tests.visits.test_corrections import visit_post
from visits import services
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairing(village_b):
    cadre = UserFactory(role=User.Role.CADRE, name="吴干部")
    return PairingLinkFactory(user=cadre, household=HouseholdFactory(village=village_b, is_hardship=True))


def test_cadre_logs_a_pairing_visit_at_the_paired_household(client, pairing):
    log_in_as(client, pairing.user)
    url = reverse("visits:visit_create", args=[pairing.household.pk])
    page = client.get(url)
    assert page.context["form"].initial["kind"] == Visit.Kind.PAIRING
    assert "结对走访" in page.content.decode()
    response = client.post(url, visit_post(pairing.household, kind="pairing"))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.kind, visit.visitor, visit.household) == (Visit.Kind.PAIRING, pairing.user, pairing.household)
    assert not visit.outside_links_reason


def test_pairing_visit_is_not_offered_at_another_household(client, village_a, alice_household):
    link = AreaLinkFactory(area=village_a)
    PairingLinkFactory(user=link.user)
    log_in_as(client, link.user)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    kinds = [value for value, _ in client.get(url).context["form"].fields["kind"].choices]
    assert Visit.Kind.PAIRING not in kinds
    response = client.post(url, visit_post(alice_household, kind="pairing"))
    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_service_refuses_a_pairing_visit_outside_the_pair(alice, alice_household):
    with pytest.raises(services.VisitError, match="结对走访只能记录"):
        services.visit_log(
            visitor=alice,
            household=alice_household,
            submission_key=uuid.uuid4(),
            details={"kind": "pairing", "visited_at": timezone.now(), "people_met": "户主本人"},
            facts={},
        )
