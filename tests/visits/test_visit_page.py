"""Issue #8: a saved visit's page shows what it created — the matters (linked where the user may open them), the
findings and the echo card handed out on it."""

import uuid

import pytest
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Matter
from tests.core.factories import HouseholdFactory, UserFactory
from visits import services
from visits.models import Finding

pytestmark = pytest.mark.django_db


def log(visitor, household, **details):
    return services.visit_log(
        visitor=visitor,
        household=household,
        submission_key=uuid.uuid4(),
        details={"kind": "day", "visited_at": timezone.now(), "people_met": "户主本人", **details},
        facts={},
        findings=[services.FindingInput(Finding.Kind.CASE_CLUE, "夜里有人偷电缆")],
        requests=["村口路灯坏了"],
    )[0]


def test_the_visit_page_links_its_matter_and_shows_its_finding_and_card(client, alice, alice_household, village_a):
    visit = log(alice, alice_household)
    head = UserFactory(unit=village_a.unit, is_unit_head=True)
    card = feedback_services.card_batch_issue(unit=village_a.unit, count=1, actor=head).cards.get()
    feedback_services.card_hand_out(number=card.number, household=alice_household, visit=visit, actor=alice)
    matter = Matter.objects.get(visit=visit)
    client.force_login(alice)
    body = client.get(visit.get_absolute_url()).content.decode()
    assert f'href="{matter.get_absolute_url()}"' in body and matter.reference in body
    assert "夜里有人偷电缆" in body
    assert card.number in body
    assert client.get(matter.get_absolute_url()).status_code == 200


def test_a_matter_the_user_may_not_open_is_shown_without_a_link(client, alice, village_a):
    neighbour = HouseholdFactory(village=village_a)
    visit = log(alice, neighbour, outside_links_reason="代班走访")
    matter = Matter.objects.get(visit=visit)
    client.force_login(alice)
    body = client.get(visit.get_absolute_url()).content.decode()
    assert "村口路灯坏了" in body and matter.get_absolute_url() not in body
    assert client.get(matter.get_absolute_url()).status_code == 404
