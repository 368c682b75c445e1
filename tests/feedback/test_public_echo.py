import uuid

import pytest
from django.urls import reverse

from feedback.models import EchoCard, Matter
from tests.feedback.helpers import issue_and_hand_out

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(bob, station_a, alice_household):
    return issue_and_hand_out(station_a, bob, alice_household)[1]


def echo(client, number, code, content="村口的路灯坏了一个月了", **extra):
    data = {"number": number, "code": code, "content": content, "submission_key": str(uuid.uuid4()), **extra}
    return client.post(reverse("feedback:echo"), data)


def status_of(client, reference, password):
    return client.post(reverse("feedback:echo_status"), {"reference": reference, "password": password})


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
        {"number": card.number, "code": card.verification_code, "content": "换个地址", "submission_key": uuid.uuid4()},
        REMOTE_ADDR="10.9.9.9",
    )
    assert other_address.status_code == 200


def test_the_qr_code_link_prefills_the_card_number(client, card):
    response = client.get(reverse("feedback:echo"), {"card": card.number})
    assert f'value="{card.number}"' in response.content.decode()


def test_public_pages_need_no_login(client):
    assert client.get(reverse("feedback:echo")).status_code == 200
    assert client.get(reverse("feedback:echo_status")).status_code == 200


# The same card used again, and the same form sent twice.


def test_a_second_message_on_the_same_card_joins_the_first_matter_as_a_follow_up(client, card):
    first = echo(client, card.number, card.verification_code)
    second = echo(client, card.number, card.verification_code, content="还有,路灯旁的井盖也松了")
    matter = Matter.objects.get()
    assert second.status_code == 200 and second.context["matter"] == matter
    assert 'data-testid="follow-up"' in second.content.decode()
    assert matter.events.filter(note="群众通过回音卡补充:还有,路灯旁的井盖也松了").exists()
    # The newest password works; the earlier one has been replaced.
    assert status_of(client, matter.reference, second.context["password"]).status_code == 200
    assert status_of(client, matter.reference, first.context["password"]).status_code == 400


def test_a_card_whose_matter_is_closed_is_used_up_with_a_clear_message(client, card):
    echo(client, card.number, card.verification_code)
    matter = Matter.objects.get()
    Matter.objects.filter(pk=matter.pk).update(state="closed", result="已修好路灯")
    response = echo(client, card.number, card.verification_code, content="又坏了")
    body = response.content.decode()
    assert response.status_code == 400
    assert f"这张回音卡反映的事已经办结(查询编号 {matter.reference})" in body and "新的回音卡" in body
    assert Matter.objects.count() == 1 and not matter.events.filter(note__contains="又坏了").exists()


def test_a_follow_up_on_a_merged_matter_goes_to_the_matter_it_was_merged_into(client, card, village_a):
    from tests.core.factories import UserFactory
    from tests.feedback.helpers import walk_in

    echo(client, card.number, card.verification_code)
    matter = Matter.objects.get()
    duty = UserFactory(role="duty_officer", unit=village_a.unit)
    target = walk_in(duty, "村口路灯不亮")
    Matter.objects.filter(pk=matter.pk).update(state="merged", duplicate_of=target)
    response = echo(client, card.number, card.verification_code, content="还是不亮")
    assert response.status_code == 200
    assert target.events.filter(note__contains="还是不亮").exists()


def test_the_same_echo_form_sent_twice_makes_one_matter(client, card):
    key = str(uuid.uuid4())
    echo(client, card.number, card.verification_code, submission_key=key)
    again = echo(client, card.number, card.verification_code, submission_key=key)
    matter = Matter.objects.get()
    assert again.status_code == 200 and again.context["matter"] == matter
    assert 'data-testid="follow-up"' not in again.content.decode()
    assert not matter.events.filter(note__startswith="群众通过回音卡补充").exists()
    # The first answer may never have reached the screen: the password shown now is the one that works.
    assert status_of(client, matter.reference, again.context["password"]).status_code == 200


def test_a_submission_key_of_another_card_is_not_answered(client, card, bob, station_a, village_a):
    from tests.core.factories import HouseholdFactory

    other = issue_and_hand_out(station_a, bob, HouseholdFactory(village=village_a))[1]
    key = str(uuid.uuid4())
    echo(client, card.number, card.verification_code, submission_key=key)
    response = echo(client, other.number, other.verification_code, submission_key=key)
    assert response.status_code == 400 and "这份表单已经提交过" in response.content.decode()
    assert Matter.objects.count() == 1


@pytest.mark.parametrize("phone", ["abcdefg", "12345", "1381234567x"])
def test_a_phone_that_is_not_a_phone_is_refused(client, card, phone):
    response = echo(client, card.number, card.verification_code, resident_phone=phone)
    assert response.status_code == 400 and "电话号码格式不正确" in response.content.decode()
    assert not Matter.objects.exists()


def test_a_mobile_or_landline_is_accepted(client, card):
    echo(client, card.number, card.verification_code, resident_phone="0527-83512345")
    assert Matter.objects.get().resident_phone == "0527-83512345"


def test_a_text_of_100000_characters_is_refused_in_chinese(client, card):
    response = echo(client, card.number, card.verification_code, content="字" * 100_000)
    assert response.status_code == 400
    assert "内容太长:最多 2000 个字" in response.content.decode()
    assert not Matter.objects.exists()


# Issue #8 (phase 3): what a resident gives on a repeat is kept; the voided-password sentence tells the truth.


def test_the_first_echo_does_not_say_an_earlier_password_was_voided(client, card):
    response = echo(client, card.number, card.verification_code)
    assert response.status_code == 200
    assert "已作废" not in response.content.decode()


def test_the_same_echo_sent_again_with_a_phone_keeps_the_phone_and_logs_it(client, card):
    first = echo(client, card.number, card.verification_code)
    assert "已作废" not in first.content.decode()
    again = echo(client, card.number, card.verification_code, resident_phone="13800002222", resident_name="李大姐")
    matter = Matter.objects.get()
    assert again.status_code == 200 and again.context["matter"] == matter
    assert (matter.resident_phone, matter.resident_name) == ("13800002222", "李大姐")
    assert matter.events.filter(note__contains="联系电话").filter(note__contains="138****2222").exists()
    body = again.content.decode()
    assert "以前得到的查询密码已作废" in body and "已补充您留下的称呼、联系电话" in body


def test_a_follow_up_keeps_the_text_and_does_not_overwrite_contact_details_already_given(client, card):
    echo(client, card.number, card.verification_code, resident_phone="13911112222", resident_name="王先生")
    echo(client, card.number, card.verification_code, content="井盖也松了", resident_phone="13800002222")
    matter = Matter.objects.get()
    assert matter.resident_phone == "13911112222" and matter.resident_name == "王先生"
    assert matter.events.filter(note="群众通过回音卡补充:井盖也松了").exists()


def test_a_follow_up_on_a_merged_matter_keeps_the_residents_own_reference_and_the_others_password(
    client, card, village_a
):
    from tests.core.factories import UserFactory
    from tests.feedback.helpers import walk_in

    echo(client, card.number, card.verification_code)
    mine = Matter.objects.get()
    duty = UserFactory(role="duty_officer", unit=village_a.unit)
    target = walk_in(duty, "村口路灯不亮", query_password="123456")
    Matter.objects.filter(pk=mine.pk).update(state="merged", duplicate_of=target)
    response = echo(client, card.number, card.verification_code, content="还是不亮", resident_phone="13800002222")
    assert response.context["matter"] == mine
    assert status_of(client, mine.reference, response.context["password"]).status_code == 200
    # The other resident's slip still works, and their matter keeps its own (empty) phone.
    assert status_of(client, target.reference, "123456").status_code == 200
    target.refresh_from_db()
    mine.refresh_from_db()
    assert target.resident_phone == "" and mine.resident_phone == "13800002222"


# The rate limit counts failed attempts only.


def test_successful_status_look_ups_and_ratings_do_not_lock_a_resident_out(client, card, settings):
    settings.ECHO_RATE_LIMIT = 3
    response = echo(client, card.number, card.verification_code)
    matter, password = Matter.objects.get(), response.context["password"]
    for _ in range(6):
        assert status_of(client, matter.reference, password).status_code == 200
    for _ in range(6):
        assert echo(client, card.number, card.verification_code, content="还有一件事").status_code == 200


def test_guessing_status_passwords_is_still_limited_and_the_page_says_how_long_to_wait(client, card, settings):
    settings.ECHO_RATE_LIMIT = 3
    settings.ECHO_RATE_WINDOW = 600
    response = echo(client, card.number, card.verification_code)
    matter, password = Matter.objects.get(), response.context["password"]
    for guess in ("000001", "000002", "000003"):
        assert status_of(client, matter.reference, guess).status_code == 400
    # Over the limit even the right password is refused: a guesser must not learn it was right.
    limited = status_of(client, matter.reference, password)
    body = limited.content.decode()
    assert limited.status_code == 429 and "尝试次数过多" in body
    assert "10 分钟" in body and int(limited["Retry-After"]) <= 600
    assert f'href="{reverse("feedback:echo_status")}"' in body


def test_a_form_error_is_not_a_guess(client, card, settings):
    settings.ECHO_RATE_LIMIT = 2
    for _ in range(4):
        assert echo(client, card.number, card.verification_code, content="").status_code == 400
    assert echo(client, card.number, card.verification_code).status_code == 200
