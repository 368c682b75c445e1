import pytest
from django.urls import reverse

from feedback.models import EchoCard, Matter
from tests.feedback.helpers import issue_and_hand_out

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(bob, station_a, alice_household):
    return issue_and_hand_out(station_a, bob, alice_household)[1]


def echo(client, number, code, content="村口的路灯坏了一个月了"):
    return client.post(reverse("feedback:echo"), {"number": number, "code": code, "content": content})


def test_resident_echoes_back_online_and_checks_the_status(client, card, alice_household):
    response = echo(client, card.number.lower(), card.verification_code.lower())
    assert response.status_code == 200
    matter = Matter.objects.get()
    assert (matter.channel, matter.household, matter.echo_card, matter.unit) == (
        "online",
        alice_household,
        card,
        card.unit,
    )
    password = response.context["password"]
    assert matter.reference in response.content.decode() and password in response.content.decode()
    card.refresh_from_db()
    assert card.state == EchoCard.State.ECHOED

    status = client.post(reverse("feedback:echo_status"), {"reference": matter.reference, "password": password})
    body = status.content.decode()
    assert "已受理" in body and "汇报" not in body  # the resident's word, not the bureau's stage
    assert alice_household.head_name not in body and alice_household.address not in body


def test_status_shows_the_reply_once_closed(client, card):
    response = echo(client, card.number, card.verification_code)
    matter = Matter.objects.get()
    Matter.objects.filter(pk=matter.pk).update(state="closed", result="已修好路灯")
    status = client.post(
        reverse("feedback:echo_status"), {"reference": matter.reference, "password": response.context["password"]}
    )
    assert "已修好路灯" in status.content.decode()


@pytest.mark.parametrize("wrong", ["code", "number", "both"])
def test_a_wrong_code_or_number_is_refused_without_saying_which(client, card, wrong):
    number = card.number if wrong == "code" else "SY-CD-2026-999999"
    code = card.verification_code if wrong == "number" else "ZZZZZZ"
    response = echo(client, number, code)
    assert response.status_code == 400
    assert "卡号或验证码不正确" in response.content.decode()
    assert not Matter.objects.exists()


def test_a_card_still_in_stock_or_voided_cannot_echo(client, bob, station_a):
    from feedback import services

    batch = services.card_batch_issue(unit=station_a, count=2, actor=bob)
    in_stock, voided = batch.cards.order_by("sequence")
    services.card_void(card=voided, actor=bob, reason="遗失")
    for card in (in_stock, voided):
        assert echo(client, card.number, card.verification_code).status_code == 400
    assert not Matter.objects.exists()


def test_a_wrong_status_password_gives_nothing_away(client, card):
    echo(client, card.number, card.verification_code)
    matter = Matter.objects.get()
    response = client.post(reverse("feedback:echo_status"), {"reference": matter.reference, "password": "000000x"})
    assert response.status_code == 400
    assert "查询编号或查询密码不正确" in response.content.decode()
    assert matter.content not in response.content.decode()


def test_the_echo_page_is_rate_limited_per_address(client, card, settings):
    settings.ECHO_RATE_LIMIT = 3
    for _ in range(3):
        assert echo(client, card.number, "WRONG1").status_code == 400
    response = echo(client, card.number, card.verification_code)
    assert response.status_code == 429
    assert "尝试次数过多" in response.content.decode()
    other_address = client.post(
        reverse("feedback:echo"),
        {"number": card.number, "code": card.verification_code, "content": "换个地址"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert other_address.status_code == 200


def test_the_qr_code_link_prefills_the_card_number(client, card):
    response = client.get(reverse("feedback:echo"), {"card": card.number})
    assert f'value="{card.number}"' in response.content.decode()


def test_public_pages_need_no_login(client):
    assert client.get(reverse("feedback:echo")).status_code == 200
    assert client.get(reverse("feedback:echo_status")).status_code == 200
