import pytest
from django.urls import reverse

from feedback import services
from feedback.models import EchoCard
from feedback.services.cards import CardError
from tests.conftest import log_in_as, run_at_once
from tests.feedback.helpers import issue_and_hand_out
from tests.visits.factories import UserFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_batches_number_cards_consecutively_with_the_unit_code_and_year(bob, station_a):
    first = services.card_batch_issue(unit=station_a, count=3, actor=bob, year=2026)
    second = services.card_batch_issue(unit=station_a, count=2, actor=bob, year=2026)
    numbers = list(EchoCard.objects.order_by("sequence").values_list("number", flat=True))
    assert numbers == [f"SY-CD-2026-{n:06d}" for n in range(1, 6)]
    assert (first.first_sequence, second.first_sequence) == (1, 4)
    codes = EchoCard.objects.values_list("verification_code", flat=True)
    assert all(len(code) == 6 for code in codes) and len(set(codes)) == 5


def test_each_year_starts_again_at_one_and_units_do_not_share_numbers(bob, station_a, station_b):
    services.card_batch_issue(unit=station_a, count=1, actor=bob, year=2026)
    services.card_batch_issue(unit=station_a, count=1, actor=bob, year=2027)
    services.card_batch_issue(unit=station_b, count=1, actor=bob, year=2026)
    assert set(EchoCard.objects.values_list("number", flat=True)) == {
        "SY-CD-2026-000001",
        "SY-CD-2027-000001",
        "SY-CX-2026-000001",
    }


@pytest.mark.parametrize("count", [0, 1001])
def test_batch_size_is_bounded(bob, station_a, count):
    with pytest.raises(CardError):
        services.card_batch_issue(unit=station_a, count=count, actor=bob)


def test_card_life_in_stock_handed_out_voided_and_no_way_back(bob, station_a, alice_household):
    batch, card = issue_and_hand_out(station_a, bob, alice_household)
    assert card.state == EchoCard.State.HANDED_OUT and card.household == alice_household
    with pytest.raises(CardError, match="不能改为"):
        services.card_hand_out(number=card.number, household=alice_household, actor=bob)
    voided = services.card_void(card=card, actor=bob, reason="遗失")
    assert voided.state == EchoCard.State.VOIDED
    assert list(card.events.values_list("from_state", "to_state")) == [
        ("in_stock", "handed_out"),
        ("handed_out", "voided"),
    ]
    with pytest.raises(CardError):
        services.card_void(card=voided, actor=bob, reason="再次作废")


def test_voiding_needs_a_reason(bob, station_a):
    card = services.card_batch_issue(unit=station_a, count=1, actor=bob).cards.get()
    with pytest.raises(CardError, match="作废原因"):
        services.card_void(card=card, actor=bob, reason=" ")


def test_officer_hands_a_card_out_on_the_visit_page(client, alice, alice_household, village_a):
    services.card_batch_issue(unit=village_a.unit, count=2, actor=alice)
    visit = VisitFactory(visitor=alice, household=alice_household)
    card = EchoCard.objects.order_by("sequence").first()
    client.force_login(alice)
    response = client.post(
        reverse("feedback:card_hand_out", args=[visit.pk]), {"number": card.number.lower()}, follow=True
    )
    card.refresh_from_db()
    assert card.state == EchoCard.State.HANDED_OUT and card.visit == visit
    assert f"已发放回音卡 {card.number}" in response.content.decode()


def test_a_card_of_another_unit_cannot_be_handed_out(client, alice, alice_household, station_b):
    other = services.card_batch_issue(unit=station_b, count=1, actor=alice).cards.get()
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(alice)
    response = client.post(reverse("feedback:card_hand_out", args=[visit.pk]), {"number": other.number}, follow=True)
    assert "不是本单位的卡" in response.content.decode()


def test_unit_head_issues_prints_and_reconciles(client, bob, station_a, alice_household):
    client.force_login(bob)
    response = client.post(reverse("feedback:card_batch_issue"), {"unit": station_a.pk, "count": 5})
    batch = station_a.card_batches.get()
    assert response["Location"] == batch.get_absolute_url()
    sheet = client.get(batch.get_absolute_url()).content.decode()
    assert sheet.count('data-testid="echo-card"') == 5 and "SY-CD-" in sheet and "data:image/svg+xml" in sheet
    services.card_hand_out(number=batch.cards.first().number, household=alice_household, actor=bob)
    client.post(reverse("feedback:card_void"), {"number": batch.cards.last().number, "reason": "损坏"})
    (row,) = client.get(reverse("feedback:card_overview")).context["stock"]
    assert (row["issued"], row["in_stock"], row["handed_out"], row["voided"]) == (5, 3, 1, 1)


def test_officers_and_other_stations_cannot_manage_or_print_cards(client, bob, alice, station_a, station_b):
    batch = services.card_batch_issue(unit=station_a, count=1, actor=bob)
    client.force_login(alice)
    assert client.get(reverse("feedback:card_overview")).status_code == 403
    other_head = UserFactory(unit=station_b, is_unit_head=True)
    client.force_login(other_head)
    assert client.get(batch.get_absolute_url()).status_code == 404


def test_leader_cannot_manage_cards(client):
    log_in_as(client, UserFactory(role="leader"))
    assert client.get(reverse("feedback:card_overview")).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_issuing_at_the_same_moment_get_no_duplicate_and_no_gap(station_a):
    issuers = [UserFactory(unit=station_a, is_unit_head=True) for _ in range(4)]

    def issue_three_batches(user):
        for _ in range(3):
            services.card_batch_issue(unit=station_a, count=25, actor=user, year=2026)

    assert run_at_once(issue_three_batches, issuers) == [None] * 4
    sequences = sorted(EchoCard.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 4 * 3 * 25 + 1))


def test_card_moves_and_sheet_prints_are_audited_and_the_card_is_on_the_household_timeline(
    client, bob, station_a, alice_household
):
    from visits.models import AuditEntry

    batch, card = issue_and_hand_out(station_a, bob, alice_household)
    assert AuditEntry.objects.filter(action="state_changed", object_id=str(card.pk)).exists()
    client.force_login(bob)
    client.get(batch.get_absolute_url())
    assert AuditEntry.objects.filter(action="export", object_id=str(batch.pk)).exists()
    assert f"发放回音卡 {card.number}" in client.get(alice_household.get_absolute_url()).content.decode()
