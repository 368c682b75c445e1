"""The talk room: walk-in intake with its printed slip, the duty roster and who may read it."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import DutyShift, Matter
from jingshi_jiafang.core.models import AuditEntry, User
from tests.conftest import log_in_as
from tests.core.factories import UserFactory
from tests.feedback.helpers import issue_and_hand_out

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def take_walk_in(client, key=None, **extra):
    data = {
        "channel": "talk_room",
        "content": "儿子打工被拖欠工资",
        "resident_name": "王大爷",
        "resident_phone": "13851234567",
        "submission_key": key or str(uuid.uuid4()),
        **extra,
    }
    return client.post(reverse("feedback:walk_in"), data, follow=True)


def check_status(client, reference, password):
    return client.post(reverse("feedback:echo_status"), {"reference": reference, "password": password})


# Walk-in and phone matters get a slip with a reference and a one-time query password.


@pytest.mark.parametrize("channel", ["talk_room", "phone", "post_box"])
def test_the_duty_officer_lands_on_a_slip_the_resident_uses_on_the_status_page(client, duty, channel):
    client.force_login(duty)
    response = take_walk_in(client, channel=channel)
    matter = Matter.objects.get()
    assert response.redirect_chain[-1][0] == reverse("feedback:walk_in_slip", args=[matter.pk])
    password = response.context["password"]
    body = response.content.decode()
    assert matter.reference in body and password in body and "138****4567" in body and "13851234567" not in body
    assert "您是这件事的首问责任人" in body
    assert "http://testserver/echo/status/" in body

    client.logout()
    status = check_status(client, matter.reference, password)
    assert status.status_code == 200 and "已受理" in status.content.decode()


def test_a_resident_who_brings_an_echo_card_answers_it_at_the_talk_room(client, duty, alice, alice_household):
    _, card = issue_and_hand_out(alice.unit, alice, alice_household)
    client.force_login(duty)
    key = str(uuid.uuid4())
    response = take_walk_in(client, key=key, channel="phone", card_number=card.number.lower())
    matter = Matter.objects.get()
    assert response.redirect_chain[-1][0] == reverse("feedback:walk_in_slip", args=[matter.pk])
    card.refresh_from_db()
    assert matter.echo_card == card and matter.household == alice_household and card.state == "echoed"
    assert card.events.last().note == f"电话回音,诉求 {matter.reference}"
    # the same form sent again finds its matter; another one on the used card is refused, with what to do
    take_walk_in(client, key=key, channel="phone", card_number=card.number)
    assert Matter.objects.count() == 1
    response = take_walk_in(client, card_number=card.number)
    assert response.status_code == 400
    assert f"已经反映过一件事(查询编号 {matter.reference})。新的事情请不填卡号登记。" in response.content.decode()


@pytest.mark.parametrize(
    ("number", "message"),
    [("SY-XX-2026-999999", "没有卡号为 SY-XX-2026-999999 的回音卡"), ("stock", "还没有发放给住户")],
)
def test_a_card_that_cannot_be_answered_is_refused_and_nothing_is_registered(
    client, duty, alice, alice_household, number, message
):
    batch, _ = issue_and_hand_out(alice.unit, alice, alice_household)
    if number == "stock":
        number = batch.cards.filter(state="in_stock").first().number
    client.force_login(duty)
    response = take_walk_in(client, card_number=number)
    assert response.status_code == 400 and message in response.context["form"].errors["card_number"][0]
    assert not Matter.objects.exists()


def test_a_phone_written_in_groups_is_taken(client, duty):
    client.force_login(duty)
    take_walk_in(client, resident_phone="138 5123 4567")
    assert Matter.objects.get().resident_phone == "13851234567"


def test_the_password_is_shown_once_and_a_new_one_replaces_it(client, duty):
    client.force_login(duty)
    first = take_walk_in(client).context["password"]
    matter = Matter.objects.get()
    slip_url = reverse("feedback:walk_in_slip", args=[matter.pk])
    again = client.get(slip_url)
    assert again.context["password"] is None and first not in again.content.decode()
    assert "重新生成查询密码" in again.content.decode()

    reissued = client.post(reverse("feedback:walk_in_slip_password", args=[matter.pk]), follow=True)
    second = reissued.context["password"]
    assert second and "原来的密码已作废" in reissued.content.decode()
    assert AuditEntry.objects.filter(action="password_reset", object_id=str(matter.pk)).exists()
    assert check_status(client, matter.reference, second).status_code == 200
    assert check_status(client, matter.reference, first).status_code == 400


def test_the_same_walk_in_form_sent_twice_makes_one_matter(client, duty):
    client.force_login(duty)
    key = str(uuid.uuid4())
    take_walk_in(client, key=key)
    again = take_walk_in(client, key=key)
    matter = Matter.objects.get()
    assert "没有重复登记" in again.content.decode()
    assert check_status(client, matter.reference, again.context["password"]).status_code == 200


@pytest.mark.parametrize("phone", ["abcdefg", "1234567", "02-1234"])
def test_a_walk_in_phone_must_be_a_phone(client, duty, phone):
    client.force_login(duty)
    response = take_walk_in(client, resident_phone=phone)
    assert response.status_code == 400 and "电话号码格式不正确" in response.content.decode()
    assert not Matter.objects.exists()


def test_an_unsigned_letter_from_the_box_is_taken_and_a_walk_in_is_asked_its_name(client, duty):
    client.force_login(duty)
    take_walk_in(client, channel="post_box", resident_name="", resident_phone="", content="举报村东头有人聚赌")
    letter = Matter.objects.get()
    assert (letter.channel, letter.resident_name, letter.resident_phone) == ("post_box", "", "")
    refused = take_walk_in(client, resident_name="  ")
    assert refused.status_code == 400 and "请填写反映人" in refused.content.decode()
    assert Matter.objects.count() == 1


def test_a_walk_in_landline_is_accepted(client, duty):
    client.force_login(duty)
    take_walk_in(client, resident_phone="0527-83512345")
    assert Matter.objects.get().resident_phone == "0527-83512345"


def test_a_walk_in_text_of_100000_characters_is_refused_in_chinese(client, duty):
    client.force_login(duty)
    response = take_walk_in(client, content="字" * 100_000)
    assert response.status_code == 400 and "内容太长:最多 2000 个字" in response.content.decode()
    assert not Matter.objects.exists()


# The duty roster.


def roster_url(**query):
    return reverse("feedback:roster") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def add_shift(client, room, officer, starts_at, ends_at):
    return client.post(
        reverse("feedback:roster_add") + f"?room={room.pk}",
        {"officer": officer.pk, "starts_at": starts_at, "ends_at": ends_at},
    )


def local(day, hour=8):
    return datetime.combine(day, time(hour)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("0001-01-01T08:00", "0001-01-01T20:00", "开始时间须在"),
        ("9999-12-30T08:00", "9999-12-30T20:00", "开始时间须在"),
        ("today", "ten years later", "最长 24 小时"),
        ("today", "25 hours later", "最长 24 小时"),
        ("today", "before", "结束时间须晚于开始时间"),
    ],
)
def test_a_duty_shift_out_of_bounds_is_refused_with_a_form_error(client, bob, duty, village_a, starts, ends, message):
    today = timezone.localdate()
    starts = local(today) if starts == "today" else starts
    ends = {
        "ten years later": local(today.replace(year=today.year + 10)),
        "25 hours later": local(today + timedelta(days=1), 9),
        "before": local(today, 7),
    }.get(ends, ends)
    client.force_login(bob)
    response = add_shift(client, village_a.unit, duty, starts, ends)
    assert response.status_code == 400 and message in response.content.decode()
    assert not DutyShift.objects.exists()


def test_a_24_hour_shift_is_added(client, bob, duty, village_a):
    today = timezone.localdate()
    client.force_login(bob)
    response = add_shift(client, village_a.unit, duty, local(today), local(today + timedelta(days=1)))
    assert response.status_code == 302
    assert DutyShift.objects.get().officer == duty


@pytest.mark.parametrize(
    "query",
    [
        {"room": "abc", "from": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "not-a-date"},
        {"room": "999999"},
    ],
)
def test_roster_query_parameters_out_of_range_give_the_default_and_a_message(client, duty, village_a, query):
    client.force_login(duty)
    response = client.get(roster_url(**query))
    assert response.status_code == 200
    assert response.context["room"] == village_a.unit and response.context["day"] == timezone.localdate()
    assert "查询条件不正确" in response.content.decode()


def test_a_room_of_another_station_is_not_shown(client, duty, village_a, village_b):
    client.force_login(duty)
    response = client.get(roster_url(room=village_b.unit.pk))
    assert response.context["room"] == village_a.unit


@pytest.mark.parametrize("who", ["duty", "alice", "bob"])
def test_the_people_who_work_the_roster_may_read_it(client, duty, alice, bob, who):
    client.force_login({"duty": duty, "alice": alice, "bob": bob}[who])
    assert client.get(roster_url()).status_code == 200


@pytest.mark.parametrize("role", ["auditor", "security_admin", "admin", "cadre", "leader", "legal", "evaluator"])
def test_no_one_else_may_read_the_roster(client, station_a, role):
    log_in_as(client, UserFactory(role=role, unit=station_a))
    assert client.get(roster_url()).status_code == 403
    assert client.post(reverse("feedback:roster_add")).status_code == 403


def test_an_officer_who_is_not_a_head_cannot_add_shifts(client, alice, duty, village_a):
    client.force_login(alice)
    assert client.get(roster_url()).context["form"] is None
    today = timezone.localdate()
    response = add_shift(client, village_a.unit, duty, local(today), local(today, 20))
    assert response.status_code == 400 and "负责人可以排班" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_walk_in_sent_twice_at_the_same_moment_makes_one_matter(village_a):
    from feedback import services
    from tests.conftest import run_at_once

    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    key = uuid.uuid4()

    def register(_):
        return services.walk_in_register(
            actor=duty, submission_key=key, channel="talk_room", content="同时提交", resident_name="王大爷"
        )

    results = run_at_once(register, [1, 2, 3])
    assert all(isinstance(result, tuple) for result in results), results
    assert Matter.objects.count() == 1
    assert sorted(created for _, _, created in results) == [False, False, True]


def test_an_overlapping_shift_of_the_same_officer_is_refused_with_a_form_error(client, bob, duty, village_a):
    today = timezone.localdate()
    client.force_login(bob)
    assert add_shift(client, village_a.unit, duty, local(today, 8), local(today, 20)).status_code == 302
    response = add_shift(client, village_a.unit, duty, local(today, 12), local(today, 22))
    assert response.status_code == 400 and "在这段时间已有班次" in response.content.decode()
    assert add_shift(client, village_a.unit, duty, local(today, 20), local(today, 23)).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_heads_adding_overlapping_shifts_at_the_same_moment_make_one(village_a, station_a, monkeypatch):
    """Both pass the service's check before either inserts (held at a barrier in between); the database refuses
    the second."""
    import threading

    from feedback import services
    from tests.conftest import run_at_once

    both_checked = threading.Barrier(2, timeout=10)
    create = DutyShift.objects.create

    def create_once_both_have_checked(**fields):
        both_checked.wait()
        return create(**fields)

    monkeypatch.setattr(DutyShift.objects, "create", create_once_both_have_checked)

    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    heads = [UserFactory(role=User.Role.OFFICER, unit=station_a, is_unit_head=True) for _ in range(2)]
    morning = datetime.combine(timezone.localdate(), time(8), timezone.get_current_timezone())

    def add(n):
        start = morning + timedelta(hours=n)
        return services.duty_shift_add(
            police_room=village_a.unit,
            officer=duty,
            starts_at=start,
            ends_at=start + timedelta(hours=12),
            actor=heads[n],
        )

    results = run_at_once(add, [0, 1])
    assert DutyShift.objects.count() == 1
    refused = [result for result in results if not isinstance(result, DutyShift)]
    assert len(refused) == 1 and isinstance(refused[0], services.MatterError), results
    assert "在这段时间已有班次" in str(refused[0])
