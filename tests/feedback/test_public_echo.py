import re
import uuid

import pytest
from django.urls import reverse

from feedback.models import EchoCard, Matter
from feedback.services.cards import copied_number
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
    # What happens next, and when, from the deadlines the bureau set (walkthrough: the page said neither).
    assert "一般在 3 至 15 天内办结并答复您(视事情的类别而定,紧急的 1 天)" in response.content.decode()
    card.refresh_from_db()
    assert card.state == EchoCard.State.ECHOED

    # The link under the numbers opens the status form with the reference filled in; the password is typed.
    link = f"{reverse('feedback:echo_status')}?reference={matter.reference}"
    assert link in response.content.decode()
    assert f'value="{matter.reference}"' in client.get(link).content.decode()
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


def test_a_number_copied_by_hand_finds_its_card(client, card):
    # Walkthrough 13b: a resident typing the number off the card without the QR code, as "SY-SC1-2026-23" or
    # with spaces, was told 卡号或验证码不正确 though the code was right.
    head, sequence = card.number.rsplit("-", 1)
    typed = f" {head.lower().replace('-', ' ')}\uff0d{int(sequence)} "  # spaces, a full-width dash, no zeros
    response = echo(client, typed, card.verification_code)
    assert response.status_code == 200
    assert Matter.objects.get().echo_card == card
    assert copied_number(card.number) == card.number
    assert copied_number("SY-SC1-2026-000023") == copied_number("sy sc1 2026 23") == "SY-SC1-2026-000023"
    assert copied_number("ＳＹ—ＳＣ１—２０２６—０００２３") == "SY-SC1-2026-000023"


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
    # Each echo has its own password, and the second did not cancel the first.
    assert first.context["password"] != second.context["password"]
    assert status_of(client, matter.reference, second.context["password"]).status_code == 200
    assert status_of(client, matter.reference, first.context["password"]).status_code == 200


def test_a_card_whose_matter_is_closed_is_used_up_with_a_clear_message(client, card):
    echo(client, card.number, card.verification_code)
    matter = Matter.objects.get()
    Matter.objects.filter(pk=matter.pk).update(state="closed", result="已修好路灯")
    response = echo(client, card.number, card.verification_code, content="又坏了")
    body = response.content.decode()
    assert response.status_code == 400
    assert f"这张回音卡反映的事已经办结(查询编号 {matter.reference})" in body and "新的回音卡" in body
    assert Matter.objects.count() == 1 and not matter.events.filter(note__contains="又坏了").exists()
    # The room's duty phone, when the card's unit has one: the card's own words offer a call.
    card.unit.phone = "0527-83512345"
    card.unit.save()
    body = echo(client, card.number, card.verification_code, content="又坏了").content.decode()
    assert "打电话给警务室(0527-83512345)" in body


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
    # The first answer may never have reached the screen: the password shown now is the one that works, and the
    # page says the one shown before (if it was) does not.
    assert status_of(client, matter.reference, again.context["password"]).status_code == 200
    assert "这份表单上次提交时显示的查询密码已作废" in again.content.decode()


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


# Issue #8 (phase 3): what a resident gives on a repeat is kept; the password sentence tells the truth.


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
    assert "以前用这张卡得到的查询密码仍然可以使用" in body and "已补充您留下的称呼、联系电话" in body
    assert "已作废" not in body
    for response in (first, again):
        assert status_of(client, matter.reference, response.context["password"]).status_code == 200


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


# A later echo on the card must not lock out whoever echoed before (walkthrough: the second echo cancelled the
# first resident's password without a word), and the confirmation says who takes the follow-up up.


def test_echoing_again_with_the_card_never_cancels_an_earlier_password(client, card):
    first = echo(client, card.number, card.verification_code)
    # Whoever holds the card, with the same words or new ones.
    same = echo(client, card.number, card.verification_code)
    other = echo(client, card.number, card.verification_code, content="还有,路灯旁的井盖也松了")
    matter = Matter.objects.get()
    for response in (first, same, other):
        assert response.context["matter"] == matter
        assert status_of(client, matter.reference, response.context["password"]).status_code == 200
    assert "以前用这张卡得到的查询密码仍然可以使用" in other.content.decode()


def test_a_form_sent_again_replaces_only_its_own_password(client, card):
    first = echo(client, card.number, card.verification_code)
    key = str(uuid.uuid4())
    tapped = echo(client, card.number, card.verification_code, content="井盖也松了", submission_key=key)
    again = echo(client, card.number, card.verification_code, content="井盖也松了", submission_key=key)
    matter = Matter.objects.get()
    assert "这份表单上次提交时显示的查询密码已作废" in again.content.decode()
    assert status_of(client, matter.reference, again.context["password"]).status_code == 200
    assert status_of(client, matter.reference, tapped.context["password"]).status_code == 400
    assert status_of(client, matter.reference, first.context["password"]).status_code == 200


def test_past_its_passwords_a_card_gives_no_new_one_and_the_earlier_ones_still_work(client, card):
    from feedback.models.matters import QUERY_PASSWORDS_PER_MATTER

    answers = [
        echo(client, card.number, card.verification_code, content=f"第{n}次反映")
        for n in range(QUERY_PASSWORDS_PER_MATTER)
    ]
    late = echo(client, card.number, card.verification_code, content="井盖也松了")
    matter = Matter.objects.get()
    body = late.content.decode()
    assert late.status_code == 200 and late.context["password"] == ""
    assert 'data-testid="no-password"' in body and 'data-testid="password"' not in body and matter.reference in body
    # What it said is still kept, and nobody who echoed before is locked out.
    assert matter.events.filter(note="群众通过回音卡补充:井盖也松了").exists()
    for response in answers:
        assert status_of(client, matter.reference, response.context["password"]).status_code == 200


def test_a_follow_up_before_the_matter_is_dispatched_does_not_promise_an_officer(client, card):
    echo(client, card.number, card.verification_code)
    response = echo(client, card.number, card.verification_code, content="井盖也松了")
    follow_up = re.search(r'data-testid="follow-up">(.*?)</p>', response.content.decode()).group(1)
    assert "正在交办" in follow_up and "同一位民警" not in follow_up and "承办这件事的民警" not in follow_up


def test_a_follow_up_says_who_handles_the_matter_once_it_is_dispatched(client, card, bob, alice):
    from feedback import services

    echo(client, card.number, card.verification_code)
    matter = Matter.objects.get()
    services.matter_analyse(matter=matter, actor=bob, category="public_security", urgency="normal")
    services.matter_dispatch(matter=matter, actor=bob, assigned_unit=alice.unit)
    to_unit = echo(client, card.number, card.verification_code, content="井盖也松了").content.decode()
    assert f"由承办单位{alice.unit}一并办理" in to_unit
    services.matter_send_back(matter=matter, actor=bob, reason="应由警务室民警办理")
    services.matter_dispatch(matter=matter, actor=bob, assigned_unit=alice.unit, assignee=alice)
    to_officer = echo(client, card.number, card.verification_code, content="下水道也堵了").content.decode()
    assert "由承办这件事的民警一并办理" in to_officer and alice.name not in to_officer


def test_every_failed_look_up_checks_as_many_passwords_whatever_the_matter(client, card, monkeypatch):
    """A matter echoed several times has several hashes to check: padded, a wrong reference and a wrong password
    of any matter cost the same, so the time taken does not tell which references exist."""
    from feedback import selectors
    from feedback.models.matters import QUERY_PASSWORDS_PER_MATTER

    echo(client, card.number, card.verification_code)
    echo(client, card.number, card.verification_code, content="井盖也松了")
    matter = Matter.objects.get()
    checked = []
    real_check = selectors.check_password
    monkeypatch.setattr(selectors, "check_password", lambda *args: checked.append(1) or real_check(*args))
    for reference in (matter.reference, "261129000000"):
        checked.clear()
        assert status_of(client, reference, "000000").status_code == 400
        assert len(checked) == QUERY_PASSWORDS_PER_MATTER
