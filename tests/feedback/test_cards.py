import uuid

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import EchoCard
from feedback.services.cards import CardError
from tests.conftest import log_in_as, run_at_once
from tests.core.factories import UserFactory
from tests.feedback.helpers import head_of, issue_and_hand_out
from tests.visits.factories import VisitFactory

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
    services.card_batch_issue(unit=station_b, count=1, actor=head_of(station_b), year=2026)
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
    with pytest.raises(CardError, match="已于 .* 发放给甲户主户"):
        services.card_hand_out(number=card.number, household=alice_household, actor=bob)
    voided = services.card_void(card=card, actor=bob, reason="遗失")
    assert voided.state == EchoCard.State.VOIDED
    assert list(card.events.values_list("from_state", "to_state")) == [
        ("in_stock", "handed_out"),
        ("handed_out", "voided"),
    ]
    with pytest.raises(CardError):
        services.card_void(card=voided, actor=bob, reason="再次作废")
    with pytest.raises(CardError, match="已作废.遗失.,不能发放"):
        services.card_hand_out(number=card.number, household=alice_household, actor=bob)


def test_voiding_needs_a_reason(bob, station_a):
    card = services.card_batch_issue(unit=station_a, count=1, actor=bob).cards.get()
    with pytest.raises(CardError, match="作废原因"):
        services.card_void(card=card, actor=bob, reason=" ")


def test_officer_hands_a_card_out_on_the_visit_page(client, alice, alice_household, village_a):
    services.card_batch_issue(unit=village_a.unit, count=2, actor=head_of(village_a.unit))
    visit = VisitFactory(visitor=alice, household=alice_household)
    card = EchoCard.objects.order_by("sequence").first()
    client.force_login(alice)
    response = client.post(
        reverse("feedback:card_hand_out", args=[visit.pk]), {"number": card.number.lower()}, follow=True
    )
    card.refresh_from_db()
    assert card.state == EchoCard.State.HANDED_OUT and card.visit == visit
    assert f"已发放回音卡 {card.number}" in response.content.decode()


def test_a_card_of_another_unit_cannot_be_handed_out(client, alice, alice_household, station_b, village_a):
    services.card_batch_issue(unit=village_a.unit, count=1, actor=head_of(village_a.unit))  # her own stock
    other = services.card_batch_issue(unit=station_b, count=1, actor=head_of(station_b)).cards.get()
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(alice)
    response = client.post(reverse("feedback:card_hand_out", args=[visit.pk]), {"number": other.number}, follow=True)
    assert "不是本单位的卡" in response.content.decode()


def test_unit_head_issues_prints_and_reconciles(client, bob, station_a, alice_household):
    client.force_login(bob)
    data = {"unit": station_a.pk, "count": 5, "submission_key": uuid.uuid4()}
    response = client.post(reverse("feedback:card_batch_issue"), data)
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
    from jingshi_jiafang.core.models import AuditEntry

    batch, card = issue_and_hand_out(station_a, bob, alice_household)
    assert AuditEntry.objects.filter(action="state_changed", object_id=str(card.pk)).exists()
    client.force_login(bob)
    client.get(batch.get_absolute_url())
    assert AuditEntry.objects.filter(action="export", object_id=str(batch.pk)).exists()
    assert f"发放回音卡 {card.number}" in client.get(alice_household.get_absolute_url()).content.decode()


# Handing a card out: picked from the unit's stock, or typed by its sequence number only.


def hand_out_url(visit):
    return reverse("feedback:card_hand_out", args=[visit.pk])


def test_the_hand_out_page_offers_the_cards_in_the_officers_own_stock(
    client, alice, bob, alice_household, station_a, station_b, village_a
):
    station_cards = services.card_batch_issue(unit=station_a, count=2, actor=bob)
    room_card = services.card_batch_issue(unit=village_a.unit, count=1, actor=bob).cards.get()
    services.card_batch_issue(unit=station_b, count=1, actor=head_of(station_b))
    handed = station_cards.cards.order_by("sequence").last()
    services.card_hand_out(number=handed.number, household=alice_household, actor=bob)
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(alice)
    response = client.get(hand_out_url(visit))
    offered = [value for value, _ in response.context["form"].fields["card"].choices if value]
    assert offered == [room_card.number, station_cards.cards.order_by("sequence").first().number] or offered == [
        station_cards.cards.order_by("sequence").first().number,
        room_card.number,
    ]
    assert 'placeholder="如 1"' in response.content.decode()
    assert "SY-XC" not in response.content.decode()

    picked = station_cards.cards.order_by("sequence").first()
    response = client.post(hand_out_url(visit), {"card": picked.number})
    assert response["Location"] == visit.get_absolute_url()
    picked.refresh_from_db()
    assert (picked.state, picked.household, picked.visit) == (EchoCard.State.HANDED_OUT, alice_household, visit)


def test_an_officer_types_only_the_sequence_number(client, alice, alice_household, village_a):
    services.card_batch_issue(unit=village_a.unit, count=12, actor=head_of(village_a.unit))
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(alice)
    client.post(hand_out_url(visit), {"number": "12"})
    card = EchoCard.objects.get(sequence=12)
    assert card.state == EchoCard.State.HANDED_OUT and card.visit == visit
    response = client.post(hand_out_url(visit), {"number": "000099"})
    assert response.status_code == 400 and "本单位没有序号为 99 的回音卡" in response.content.decode()


def test_a_repeated_hand_out_says_what_happened_to_the_card(client, alice, alice_household, village_a):
    card = services.card_batch_issue(unit=village_a.unit, count=1, actor=head_of(village_a.unit)).cards.get()
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(alice)
    client.post(hand_out_url(visit), {"number": "1"})
    response = client.post(hand_out_url(visit), {"number": "1"})
    body = response.content.decode()
    assert response.status_code == 400
    assert f"这张卡({card.number})已于" in body and "发放给甲户主户" in body
    assert "不能改为" not in body and "当前为" not in body


def test_the_hand_out_form_needs_one_card(client, alice, alice_household, village_a):
    cards = services.card_batch_issue(unit=village_a.unit, count=2, actor=head_of(village_a.unit)).cards.order_by(
        "sequence"
    )
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(alice)
    assert "请从库存中选择一张卡" in client.post(hand_out_url(visit), {}).content.decode()
    both = client.post(hand_out_url(visit), {"card": cards[0].number, "number": "2"})
    assert "请只用一种方式" in both.content.decode()
    assert not EchoCard.objects.filter(state=EchoCard.State.HANDED_OUT).exists()


def test_only_the_visitor_hands_out_cards_on_a_visit(client, alice, bob, alice_household):
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(bob)
    assert client.get(hand_out_url(visit)).status_code == 403


# The contact card and the QR code.


def test_the_contact_card_shows_the_households_responsible_officer_not_whoever_prints_it(
    client, alice, bob, alice_household
):
    alice.post, alice.phone = "社区民警", "13912345678"
    alice.save()
    client.force_login(bob)
    response = client.get(reverse("feedback:contact_card_print", args=[alice_household.pk]))
    card = response.content.decode().split('data-testid="contact-card"')[1]
    assert "艾丽" in card and "社区民警" in card and "13912345678" in card
    assert "鲍勃" not in card


def test_a_household_without_a_responsible_officer_gets_no_contact_card(client, bob, village_a):
    from tests.core.factories import HouseholdFactory

    household = HouseholdFactory(village=village_a, head_name="无人户")
    client.force_login(bob)
    response = client.get(reverse("feedback:contact_card_print", args=[household.pk]))
    assert 'data-testid="no-officer"' in response.content.decode()
    assert 'data-testid="contact-card"' not in response.content.decode()


def test_the_card_sheet_no_longer_prints_the_printers_own_contact_card(client, bob, station_a):
    batch = services.card_batch_issue(unit=station_a, count=1, actor=bob)
    client.force_login(bob)
    sheet = client.get(batch.get_absolute_url()).content.decode()
    assert "contact-card" not in sheet and "鲍勃" not in sheet.split('class="sheet"')[1]


def test_the_card_gives_the_issuing_unit_s_duty_phone_when_it_has_one(client, bob, station_a):
    # Walkthrough: the card said 电话告诉警务室 and printed no number to call.
    batch = services.card_batch_issue(unit=station_a, count=1, actor=bob)
    client.force_login(bob)
    assert "③ 电话告诉警务室 ④" in client.get(batch.get_absolute_url()).content.decode()
    station_a.phone = "0527-83512345"
    station_a.save()
    assert "③ 电话告诉警务室 0527-83512345 ④" in client.get(batch.get_absolute_url()).content.decode()


def test_the_qr_code_points_at_the_server_the_sheet_is_printed_from(client, bob, station_a, settings):
    from jingshi_jiafang.core.qr import qr_data_url

    settings.PUBLIC_ECHO_URL = ""
    card = services.card_batch_issue(unit=station_a, count=1, actor=bob).cards.get()
    client.force_login(bob)
    response = client.get(card.batch.get_absolute_url(), HTTP_HOST="127.0.0.1:8123")
    body = response.content.decode()
    assert qr_data_url(f"http://127.0.0.1:8123/echo/?card={card.number}") in body
    assert "扫码或登录 http://127.0.0.1:8123/echo/" in body
    assert "127.0.0.1:8000" not in body

    settings.PUBLIC_ECHO_URL = "https://jiafang.example.gov.cn/echo/"
    body = client.get(card.batch.get_absolute_url()).content.decode()
    assert qr_data_url(f"https://jiafang.example.gov.cn/echo/?card={card.number}") in body


def test_with_no_cards_in_stock_the_page_says_whose_stock_and_who_makes_cards(client, alice, alice_household):
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(alice)
    response = client.get(hand_out_url(visit))
    body = response.content.decode()
    # Not 所长 by name: a cadre's unit is the bureau.
    assert f"您所在的单位({alice.unit})没有制发回音卡,不能登记发放。" in body and "负责人或值班民警" in body
    assert response.context["form"] is None and "登记发放</button>" not in body


# 发放回音卡 is offered to whoever has a card in stock to hand out.


def test_the_visit_page_offers_the_hand_out_while_the_officers_units_have_stock(
    client, alice, alice_household, village_a
):
    card = services.card_batch_issue(unit=village_a.unit, count=1, actor=head_of(village_a.unit)).cards.get()
    visit = VisitFactory(visitor=alice, household=alice_household)
    client.force_login(alice)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert hand_out_url(visit) in page and 'data-testid="cards-spent"' not in page
    services.card_hand_out(number=card.number, household=alice_household, actor=alice, visit=visit)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert hand_out_url(visit) not in page and "本单位的回音卡已全部发出" in page
    assert f"已发放回音卡 {card.number}" in page
    response = client.get(hand_out_url(visit))
    assert response.context["form"] is None and "回音卡已全部发出" in response.content.decode()


def test_a_cadre_whose_unit_was_issued_no_cards_is_not_offered_the_hand_out_and_the_page_refuses(
    client, station_a, village_a
):
    from jingshi_jiafang.core.models import User
    from tests.core.factories import AreaLinkFactory, HouseholdFactory

    cadre = UserFactory(role=User.Role.CADRE, unit=station_a.parent, name="吴志强")
    AreaLinkFactory(user=cadre, area=village_a)
    household = HouseholdFactory(village=village_a)
    station_card = services.card_batch_issue(unit=station_a, count=1, actor=head_of(station_a)).cards.get()
    visit = VisitFactory(visitor=cadre, household=household, village=village_a, unit=cadre.unit)
    client.force_login(cadre)
    page = client.get(visit.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert hand_out_url(visit) not in body and "回音卡已全部发出" not in body
    assert "这次走访没有登记发放回音卡。" in body
    response = client.post(hand_out_url(visit), {"number": station_card.number})
    body = response.content.decode()
    assert response.status_code == 400 and "不是本单位的卡" in body and "没有制发回音卡,不能登记发放" in body
    station_card.refresh_from_db()
    assert station_card.state == EchoCard.State.IN_STOCK
