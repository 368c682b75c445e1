"""The talk room: walk-in intake with its printed slip, the duty roster and who may read it."""

import contextlib
import threading
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.errors import MatterError
from feedback.models import DutyShift, Matter
from feedback.models.talkroom import SHIFT_UNDO_WINDOW
from feedback.services.talkroom import next_changeover
from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.models import AuditEntry, User
from tests.conftest import log_in_as
from tests.core.factories import (
    BureauFactory,
    HouseholdFactory,
    PoliceRoomFactory,
    StationFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)
from tests.feedback.helpers import head_of, issue_and_hand_out
from tests.feedback.helpers import walk_in as walk_in_matter

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
    # the same form sent again finds its matter and its slip: the registration itself, not a follow-up
    again = take_walk_in(client, key=key, channel="phone", card_number=card.number)
    assert again.redirect_chain[-1][0] == reverse("feedback:walk_in_slip", args=[matter.pk])
    assert Matter.objects.count() == 1 and not matter.events.filter(note__startswith="群众通过回音卡补充").exists()


# An echo card answered before: what the resident says at the talk room joins the card's matter, as online.


def echo_online(card, content="村口的路灯坏了一个月了"):
    result = services.card_echo(
        number=card.number, code=card.verification_code, content=content, submission_key=uuid.uuid4()
    )
    return result.matter


@pytest.fixture
def answered(alice, alice_household):
    """A card of alice's police room, answered online (with no name or phone): the card and its matter."""
    _, card = issue_and_hand_out(alice.unit, alice, alice_household)
    return card, echo_online(card)


def register_on_card(actor, card, content="路灯旁的井盖也松了", key=None, **extra):
    return services.walk_in_register(
        actor=actor,
        submission_key=key or uuid.uuid4(),
        channel="talk_room",
        content=content,
        resident_name="王大爷",
        card_number=card.number,
        **extra,
    )


FOLLOW_UP = "群众通过回音卡补充:"


def test_a_walk_in_on_an_answered_card_joins_its_matter_with_a_history_row(duty, answered):
    card, matter = answered
    card_events = card.events.count()
    walk_in = register_on_card(duty, card)
    assert walk_in.follow_up.outcome == "follow_up" and walk_in.matter == matter and walk_in.follow_up.answer == matter
    # No slip: the talk room checks no code, so it gives no query password for a matter already on the card.
    assert walk_in.password == "" and walk_in.follow_up.password == ""
    assert Matter.objects.count() == 1
    row = matter.events.get(note=f"{FOLLOW_UP}路灯旁的井盖也松了")
    assert (row.actor, row.from_state, row.to_state) == (duty, "reported", "reported")
    card.refresh_from_db()
    assert card.state == "echoed" and card.events.count() == card_events


def test_a_card_answered_at_the_talk_room_takes_a_follow_up_there_too(duty, alice, alice_household):
    _, card = issue_and_hand_out(alice.unit, alice, alice_household)
    first = register_on_card(duty, card, content="儿子打工被拖欠工资")
    walk_in = register_on_card(duty, card, content="老板电话换了,打不通")
    assert first.created and walk_in.follow_up.answer == first.matter
    assert first.matter.events.filter(note=f"{FOLLOW_UP}老板电话换了,打不通", actor=duty).exists()


def test_the_same_follow_up_sent_twice_or_said_online_before_is_added_once(duty, answered):
    card, matter = answered
    key = uuid.uuid4()
    first, again = register_on_card(duty, card, key=key), register_on_card(duty, card, key=key)
    assert (first.follow_up.outcome, again.follow_up.outcome) == ("follow_up", "repeat")
    assert register_on_card(duty, card, content=matter.content).follow_up.outcome == "repeat"
    assert matter.events.filter(note__startswith=FOLLOW_UP).count() == 1


def test_a_follow_up_on_a_merged_matter_joins_the_matter_it_was_merged_into(duty, answered):
    card, matter = answered
    target = walk_in_matter(duty, "村口路灯不亮")
    Matter.objects.filter(pk=matter.pk).update(state="merged", duplicate_of=target)
    walk_in = register_on_card(duty, card, content="还是不亮")
    assert walk_in.matter == matter and walk_in.follow_up.answer == target
    assert target.events.filter(note=f"{FOLLOW_UP}还是不亮", actor=duty).exists()
    assert not matter.events.filter(note__startswith=FOLLOW_UP).exists()


def test_a_name_and_phone_given_at_the_talk_room_are_kept_where_the_matter_had_none(duty, answered):
    card, matter = answered
    walk_in = register_on_card(duty, card, resident_phone="13851234567")
    matter.refresh_from_db()
    assert (matter.resident_name, matter.resident_phone) == ("王大爷", "13851234567")
    assert walk_in.follow_up.added == ("称呼", "联系电话")
    row = matter.events.get(note__startswith="群众再次回音")
    assert row.actor == duty and "138****4567" in row.note and "13851234567" not in row.note


def test_someone_outside_a_police_room_cannot_add_a_follow_up(client, bob, answered):
    card, matter = answered
    with pytest.raises(MatterError, match="只有警务室民警接待来访"):
        register_on_card(bob, card)
    client.force_login(bob)
    assert take_walk_in(client, card_number=card.number).status_code == 403
    assert not matter.events.filter(note__startswith=FOLLOW_UP).exists()


def test_a_card_whose_matter_is_closed_registers_a_new_matter_of_its_household_not_on_the_card(client, duty, answered):
    # It was refused with 请不填卡号登记: typed again without the number, the new matter was nobody's household's.
    card, matter = answered
    Matter.objects.filter(pk=matter.pk).update(state="closed", result="已修好路灯")
    client.force_login(duty)
    key = str(uuid.uuid4())
    response = take_walk_in(client, key, card_number=card.number, content="又坏了")
    new = Matter.objects.get(content="又坏了")
    assert response.redirect_chain[-1][0] == reverse("feedback:walk_in_slip", args=[new.pk])
    assert (new.household, new.echo_card, new.owner) == (card.household, None, duty)
    said = [str(message) for message in response.context["messages"]]
    assert f"这张回音卡反映的事已经办结(查询编号 {matter.reference}),卡已用过" in said[1]
    assert not matter.events.filter(note__contains="又坏了").exists()
    # The same form sent again (a double tap) finds the matter it made.
    take_walk_in(client, key, card_number=card.number, content="又坏了")
    assert Matter.objects.filter(content="又坏了").count() == 1


def test_the_duty_officer_lands_on_a_page_saying_it_was_added_to_the_matter_with_its_link(client, duty, answered):
    card, matter = answered
    client.force_login(duty)
    response = take_walk_in(client, card_number=card.number.lower(), content="路灯旁的井盖也松了")
    assert response.status_code == 200 and response.templates[0].name == "feedback/walk_in_follow_up.html"
    body = response.content.decode()
    assert "已追加到已有诉求" in body and matter.reference in body and matter.get_absolute_url() in body
    assert "您这次说的话已补充到这件事里" in body and "无法打开" not in body
    assert "路灯旁的井盖也松了" in client.get(matter.get_absolute_url()).content.decode()


def test_a_matter_out_of_the_officers_sight_is_not_linked_and_the_page_says_what_to_tell_the_resident(
    client, duty, charlie, charlie_household
):
    _, card = issue_and_hand_out(charlie.unit, charlie, charlie_household)
    matter = echo_online(card)
    client.force_login(duty)
    response = take_walk_in(client, card_number=card.number, content="路灯旁的井盖也松了")
    body = response.content.decode()
    assert response.status_code == 200 and "已追加到已有诉求" in body and matter.reference in body
    assert matter.get_absolute_url() not in body and "无法打开" in body
    assert "这张回音卡反映的事已受理,正在交办;您这次说的话已补充到这件事里" in body
    assert f"凭查询编号 {matter.reference} 和以前拿到的查询密码" in body
    assert client.get(matter.get_absolute_url()).status_code == 404
    assert matter.events.filter(note=f"{FOLLOW_UP}路灯旁的井盖也松了", actor=duty).exists()


def test_the_follow_up_form_sent_again_adds_nothing_and_says_so(client, duty, answered):
    card, matter = answered
    client.force_login(duty)
    key = str(uuid.uuid4())
    take_walk_in(client, key=key, card_number=card.number, content="井盖松了")
    again = take_walk_in(client, key=key, card_number=card.number, content="井盖松了")
    assert again.status_code == 200 and "这次没有重复追加" in again.content.decode()
    assert matter.events.filter(note=f"{FOLLOW_UP}井盖松了").count() == 1


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("SY-XX-2026-999999", "没有卡号为 SY-XX-2026-999999 的回音卡"),
        ("stock", "还没有发放给住户"),
        ("voided", "已作废(遗失),不能用来回音。请不填卡号登记。"),
    ],
    ids=["unknown", "in-stock", "voided"],
)
def test_a_card_that_cannot_be_answered_is_refused_and_nothing_is_registered(
    client, duty, alice, alice_household, number, message
):
    batch, handed_out = issue_and_hand_out(alice.unit, alice, alice_household)
    if number == "stock":
        number = batch.cards.filter(state="in_stock").first().number
    if number == "voided":
        number = services.card_void(card=handed_out, actor=head_of(alice.unit), reason="遗失").number
    client.force_login(duty)
    response = take_walk_in(client, card_number=number)
    assert response.status_code == 400 and message in response.context["form"].errors["card_number"][0]
    assert not Matter.objects.exists()


@pytest.mark.parametrize("answered_before", [False, True])
def test_a_card_of_another_county_is_refused_and_nothing_is_recorded(client, duty, answered_before):
    station = StationFactory(parent=BureauFactory(code="SQ", name="泗阳县公安局"), code="XL")
    room = PoliceRoomFactory(parent=station)
    household = HouseholdFactory(village=VillageFactory(parent=TownFactory(unit=station), unit=room))
    _, card = issue_and_hand_out(room, UserFactory(unit=room), household)
    matter = echo_online(card) if answered_before else None
    client.force_login(duty)
    response = take_walk_in(client, card_number=card.number)
    assert response.status_code == 400
    assert "是其他县(市、区)公安局发放的,不能在本县登记回音" in response.context["form"].errors["card_number"][0]
    assert Matter.objects.count() == (1 if answered_before else 0)
    if matter is not None:
        assert not matter.events.filter(note__startswith=FOLLOW_UP).exists()


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
    from feedback.services.talkroom import WalkIn
    from tests.conftest import run_at_once

    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    key = uuid.uuid4()

    def register(_):
        return services.walk_in_register(
            actor=duty, submission_key=key, channel="talk_room", content="同时提交", resident_name="王大爷"
        )

    results = run_at_once(register, [1, 2, 3])
    assert all(isinstance(result, WalkIn) for result in results), results
    assert Matter.objects.count() == 1
    assert sorted(result.created for result in results) == [False, False, True]


def test_an_overlapping_shift_of_the_same_officer_is_refused_with_a_form_error(client, bob, duty, village_a):
    today = timezone.localdate()
    client.force_login(bob)
    assert add_shift(client, village_a.unit, duty, local(today, 8), local(today, 20)).status_code == 302
    response = add_shift(client, village_a.unit, duty, local(today, 12), local(today, 22))
    assert response.status_code == 400 and "在这段时间已有班次" in response.content.decode()
    assert add_shift(client, village_a.unit, duty, local(today, 20), local(today, 23)).status_code == 302


def _once_the_other_checked(create, barrier):
    """`create`, run once the other thread has reached its own insert too (both have checked), or after a second:
    the lock on the officer's hours keeps the other from coming."""

    def create_when_both_checked(**fields):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return create(**fields)

    return create_when_both_checked


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_heads_adding_overlapping_shifts_at_the_same_moment_make_one(village_a, station_a, monkeypatch):
    """Each insert waits up to a second for the other to have checked too: the lock on the officer's hours keeps
    the second out until the first is saved, and its check refuses it. Behind the check, the database's exclusion
    constraint refuses an overlapping row however it comes."""
    from django.db import IntegrityError

    from tests.conftest import run_at_once

    create = DutyShift.objects.create
    monkeypatch.setattr(DutyShift.objects, "create", _once_the_other_checked(create, threading.Barrier(2)))

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
    shift = DutyShift.objects.get()
    with pytest.raises(IntegrityError, match="dutyshift_officer_no_overlap"):
        create(police_room=shift.police_room, officer=duty, starts_at=shift.starts_at, ends_at=shift.ends_at)


def test_a_shift_through_a_planned_night_visit_is_refused(bob, alice, village_a):
    from tests.visits.factories import next_night_date
    from visits.services import night_plan_add

    night = next_night_date()
    night_plan_add(planner=bob, officer=alice, village=village_a, date=night)
    evening = datetime.combine(night, time(16), timezone.get_current_timezone())
    with pytest.raises(MatterError, match=r"夜访时段\(20:00–21:00\)已安排走访"):
        services.duty_shift_add(
            police_room=alice.unit, officer=alice, starts_at=evening, ends_at=evening + timedelta(hours=8), actor=bob
        )
    # The same evening's day shift, over before the hour, is his to keep.
    services.duty_shift_add(
        police_room=alice.unit, officer=alice, starts_at=evening - timedelta(hours=8), ends_at=evening, actor=bob
    )
    assert DutyShift.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_shift_and_a_night_plan_given_the_same_evening_at_the_same_moment_make_one(village_a, station_a, monkeypatch):
    """Two heads: one gives the officer a shift through the evening, the other plans his night visit. Each save
    waits up to a second for the other to reach its own: without the lock on his hours both passed their checks
    and both were saved."""
    from tests.conftest import run_at_once
    from tests.visits.factories import next_night_date
    from visits.models import NightVisitPlan
    from visits.services import night_plan_add

    both = threading.Barrier(2)
    monkeypatch.setattr(DutyShift.objects, "create", _once_the_other_checked(DutyShift.objects.create, both))
    monkeypatch.setattr(NightVisitPlan.objects, "create", _once_the_other_checked(NightVisitPlan.objects.create, both))
    officer = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
    heads = [UserFactory(role=User.Role.OFFICER, unit=station_a, is_unit_head=True) for _ in range(2)]
    night = next_night_date()
    evening = datetime.combine(night, time(16), timezone.get_current_timezone())

    def give(n):
        if n == 0:
            return services.duty_shift_add(
                police_room=village_a.unit,
                officer=officer,
                starts_at=evening,
                ends_at=evening + timedelta(hours=8),
                actor=heads[0],
            )
        return night_plan_add(planner=heads[1], officer=officer, village=village_a, date=night)

    results = run_at_once(give, [0, 1])
    assert DutyShift.objects.count() + NightVisitPlan.objects.count() == 1, results
    refused = [result for result in results if isinstance(result, Exception)]
    assert len(refused) == 1 and "夜访时段" in str(refused[0]), results


def test_a_refused_shift_is_summed_up_at_the_top_of_the_roster_and_keeps_the_week(client, bob, alice, village_a):
    """On a phone the add form is below a week of shifts: the refusal is said under the heading, with a link to the
    form, and the page stays on the week the head was looking at."""
    from tests.visits.factories import next_night_date
    from visits.services import night_plan_add

    night = next_night_date()
    night_plan_add(planner=bob, officer=alice, village=village_a, date=night)
    week = night - timedelta(days=2)
    client.force_login(bob)
    response = client.post(
        reverse("feedback:roster_add") + f"?room={village_a.unit.pk}&from={week.isoformat()}",
        {"officer": alice.pk, "starts_at": local(night, 18), "ends_at": local(night, 23)},
    )
    page = response.content.decode()
    assert response.status_code == 400 and response.context["day"] == week
    summary = page.index('data-testid="error-summary"')
    assert summary < page.index("现在值班") and 'href="#add-shift"' in page[summary:] and 'id="add-shift"' in page
    assert "的夜访时段(20:00–21:00)已安排走访" in page[summary : page.index("现在值班")]
    assert f"from={week.isoformat()}" in page[page.index('id="add-shift"') :]


def test_an_added_shift_lands_on_a_week_that_shows_it(client, bob, duty, village_a):
    today = timezone.localdate()
    client.force_login(bob)
    response = add_shift(
        client, village_a.unit, duty, local(today + timedelta(days=10)), local(today + timedelta(days=10), 20)
    )
    assert response.status_code == 302
    assert response.url.endswith(f"from={(today + timedelta(days=10)).isoformat()}")
    page = client.get(response.url).content.decode()
    assert f"已添加{duty}的班次" in page and "分钟内可以在下方删除" not in page  # not begun: 删除 stays offered
    shifts = [entry["shift"] for entry in client.get(response.url).context["entries"] if "shift" in entry]
    assert shifts == [DutyShift.objects.get()]
    # One in the week being looked at keeps that week.
    response = client.post(
        reverse("feedback:roster_add") + f"?room={village_a.unit.pk}&from={today.isoformat()}",
        {
            "officer": duty.pk,
            "starts_at": local(today + timedelta(days=2)),
            "ends_at": local(today + timedelta(days=2), 20),
        },
    )
    assert response.url.endswith(f"from={today.isoformat()}")


def test_the_demo_roster_leaves_no_night_without_anyone_even_when_every_room_officer_visits(
    bob, alice, duty, village_a
):
    """The demo gives each night to a room officer with no night visit that evening; when all of them are planned,
    the duty officer stays on (and has the next day off), rather than a gap in the 24-hour roster."""
    from feedback.demo import _roster
    from tests.visits.factories import next_night_date
    from visits.night import evening_window
    from visits.services import night_plan_add

    night = next_night_date()
    night_plan_add(planner=bob, officer=alice, village=village_a, date=night)
    _roster(duty, alice, bob, timezone.localdate())
    start, end = evening_window(night)
    assert [shift.officer for shift in DutyShift.objects.filter(starts_at__lt=end, ends_at__gt=start)] == [duty]
    shifts = list(DutyShift.objects.order_by("starts_at"))
    assert all(earlier.ends_at == later.starts_at for earlier, later in zip(shifts, shifts[1:], strict=False))
    # No one is on for more than 24 hours in a row.
    runs = zip(shifts, shifts[1:], shifts[2:], strict=False)
    assert not any(first.officer == second.officer == third.officer for first, second, third in runs)
    # Walkthrough 14a: entered ahead, not "just now": a fresh demo offered 删除 on the shift running since 08:00.
    now = timezone.now()
    assert not [shift for shift in shifts if shift.starts_at <= now and shift.removable]
    assert all(shift.created_at < shifts[0].starts_at for shift in shifts)


def _shift(officer, starts_at, hours=12):
    return DutyShift.objects.create(
        police_room=officer.unit, officer=officer, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours)
    )


def test_a_head_removes_a_shift_not_yet_begun_after_confirming_and_it_is_audited(client, bob, duty, village_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    shift = _shift(duty, datetime.combine(tomorrow, time(8), timezone.get_current_timezone()))
    client.force_login(bob)
    page = client.get(roster_url(room=village_a.unit.pk)).content.decode()
    assert 'data-testid="remove-shift"' in page and "确定删除孙明" in page  # the page asks before it removes
    response = client.post(
        reverse("feedback:roster_remove", args=[shift.pk]) + f"?room={village_a.unit.pk}&from={tomorrow.isoformat()}"
    )
    assert response["Location"] == roster_url(room=village_a.unit.pk, **{"from": tomorrow.isoformat()})
    assert not DutyShift.objects.exists()
    assert "已删除孙明的班次" in client.get(response["Location"]).content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED)
    assert (entry.actor, entry.detail["what"], entry.detail["officer"]) == (bob, "duty_shift", duty.pk)


def test_a_removal_that_leaves_the_room_unattended_says_the_hours_and_one_covered_says_nothing(
    client, bob, duty, alice, village_a
):
    # Walkthrough: the station head removed tonight's 20:00–08:00 shift; the page said only 已删除, and the
    # roster, listing shifts only, showed no hole: the room would have had no one from 20:00.
    tomorrow = timezone.localdate() + timedelta(days=1)
    eight = datetime.combine(tomorrow, time(8), timezone.get_current_timezone())
    day, night = _shift(duty, eight), _shift(duty, eight + timedelta(hours=12))
    _shift(alice, eight + timedelta(hours=16), hours=4)  # covers 00:00–04:00 of the night only
    client.force_login(bob)
    response = client.post(reverse("feedback:roster_remove", args=[night.pk]), follow=True)
    page = response.content.decode()
    night_hours = [(eight + timedelta(hours=h)).strftime("%m-%d %H:%M") for h in (12, 16, 20, 24)]
    assert f"{night_hours[0]}—{night_hours[1]}、{night_hours[2]}—{night_hours[3]} 现在无人值班" in page
    _shift(alice, eight, hours=12)  # someone else on the day shift: removing it leaves no hole
    page = client.post(reverse("feedback:roster_remove", args=[day.pk]), follow=True).content.decode()
    assert "已删除孙明的班次" in page and "现在无人值班,请在下方添加班次" not in page


def test_the_roster_shows_the_hours_nobody_covers_and_fills_the_add_form_with_them(client, bob, duty, village_a):
    # Walkthrough: the roster listed shifts only, so a night without anyone was found at 20:00, not planned for.
    tomorrow = timezone.localdate() + timedelta(days=1)
    eight = datetime.combine(tomorrow, time(8), timezone.get_current_timezone())
    _shift(duty, eight)  # 08:00–20:00 tomorrow; tomorrow night is nobody's
    client.force_login(bob)
    entries = client.get(roster_url(room=village_a.unit.pk, **{"from": tomorrow.isoformat()})).context["entries"]
    week_end = datetime.combine(tomorrow + timedelta(days=7), time(0), timezone.get_current_timezone())
    assert [entry.get("gap") for entry in entries] == [
        (midnight(tomorrow), eight),
        None,
        (eight + timedelta(hours=12), week_end),
    ]
    # 排班 on the night fills the form with it up to the next changeover (08:00): the head chooses who.
    response = client.get(entries[2]["add_url"])
    form = response.context["form"]
    assert entries[2]["add_url"].endswith("#add-shift") and response.context["day"] == tomorrow
    shown = {name: form[name].value() for name in ("starts_at", "ends_at")}  # in local time, as the inputs take it
    assert shown == {
        "starts_at": eight.replace(tzinfo=None) + timedelta(hours=12),
        "ends_at": eight.replace(tzinfo=None) + timedelta(hours=24),
    }
    page = response.content.decode()
    assert 'value="' + f"{eight + timedelta(hours=12):%Y-%m-%dT%H:%M}" + '"' in page and not form.is_bound


def test_the_roster_shows_no_gap_in_hours_gone_nor_a_fill_link_to_who_may_not_arrange(client, duty, village_a):
    last_week = timezone.localdate() - timedelta(days=8)
    client.force_login(duty)
    assert not any(
        "gap" in entry for entry in client.get(roster_url(**{"from": last_week.isoformat()})).context["entries"]
    )
    page = client.get(roster_url()).content.decode()
    assert 'data-testid="gap"' in page and 'data-testid="fill-gap"' not in page


def test_a_shift_begun_stays_as_the_record_and_offers_no_removal(client, bob, duty, village_a):
    shift = _shift(duty, timezone.now() - timedelta(hours=1))
    DutyShift.objects.filter(pk=shift.pk).update(created_at=timezone.now() - timedelta(hours=2))  # entered ahead
    client.force_login(bob)
    assert 'data-testid="remove-shift"' not in client.get(roster_url()).content.decode()
    response = client.post(reverse("feedback:roster_remove", args=[shift.pk]), follow=True)
    assert "已经开始或过去的班次不能删除" in response.content.decode() and DutyShift.objects.exists()


def test_a_running_shift_entered_minutes_ago_can_still_be_taken_back(client, bob, duty, village_a):
    # Walkthrough 13c: 排班 on a gap that began "now" made a shift begun at once; a wrong officer picked there could
    # not be taken back, and the night-plan refusal sent the head to a 删除 the roster did not offer.
    shift = _shift(duty, timezone.now() - timedelta(minutes=5))
    client.force_login(bob)
    assert 'data-testid="remove-shift"' in client.get(roster_url()).content.decode()
    DutyShift.objects.filter(pk=shift.pk).update(created_at=timezone.now() - SHIFT_UNDO_WINDOW)
    assert 'data-testid="remove-shift"' not in client.get(roster_url()).content.decode()
    response = client.post(reverse("feedback:roster_remove", args=[shift.pk]), follow=True)
    assert "已经开始或过去的班次不能删除" in response.content.decode() and DutyShift.objects.exists()
    DutyShift.objects.filter(pk=shift.pk).update(created_at=timezone.now())
    client.post(reverse("feedback:roster_remove", args=[shift.pk]))
    assert not DutyShift.objects.exists()


def test_the_roster_says_why_a_begun_shift_has_no_removal_and_how_long_a_new_one_keeps_it(
    client, bob, alice, duty, village_a
):
    # Walkthrough 14a: a shift begun yesterday showed no 删除 and nothing said why; a shift just added for a gap
    # that began now said only 班次已添加, and ten minutes on its 删除 was refused as "已经开始" with no word of
    # the ten minutes it had been offered for.
    _shift(duty, timezone.now() - timedelta(days=1))
    client.force_login(bob)
    page = client.get(roster_url()).content.decode()
    assert 'data-testid="removal-rule"' in page and f"{SHIFT_UNDO_WINDOW.seconds // 60} 分钟内还可以删除" in page
    now = timezone.localtime()
    minute = "%Y-%m-%dT%H:%M"
    response = add_shift(
        client, village_a.unit, alice, now.strftime(minute), (now + timedelta(hours=2)).strftime(minute)
    )
    assert "分钟内可以在下方删除" in client.get(response.url).content.decode()
    shift = DutyShift.objects.get(officer=alice)
    DutyShift.objects.filter(pk=shift.pk).update(created_at=timezone.now() - SHIFT_UNDO_WINDOW)
    refused = client.post(reverse("feedback:roster_remove", args=[shift.pk]), follow=True).content.decode()
    assert "只在添加后 10 分钟内可以删除" in refused
    client.force_login(alice)  # who may not arrange reads no rule about a button they never get
    assert 'data-testid="removal-rule"' not in client.get(roster_url()).content.decode()


def test_only_a_head_of_the_room_or_its_station_removes_a_shift(client, alice, duty, village_a, village_b):
    shift = _shift(duty, timezone.now() + timedelta(days=1))
    client.force_login(alice)  # an officer of the room reads the roster, without the button
    assert 'data-testid="remove-shift"' not in client.get(roster_url()).content.decode()
    response = client.post(reverse("feedback:roster_remove", args=[shift.pk]), follow=True)
    assert "只有本警务室或上级派出所的负责人可以删除班次" in response.content.decode()
    client.force_login(UserFactory(role=User.Role.OFFICER, unit=village_b.unit.parent, is_unit_head=True))
    assert client.post(reverse("feedback:roster_remove", args=[shift.pk])).status_code == 404
    assert client.get(reverse("feedback:roster_remove", args=[shift.pk])).status_code == 302
    assert DutyShift.objects.exists()


def test_a_shift_removed_frees_its_officer_for_the_night_visit_it_stood_in_the_way_of(client, bob, alice, village_a):
    from tests.visits.factories import next_night_date
    from visits.models import NightVisitPlan

    night = next_night_date()
    shift = _shift(alice, datetime.combine(night, time(18), timezone.get_current_timezone()))
    client.force_login(bob)
    plan = {"date": night.isoformat(), "officer": alice.pk, "village": village_a.pk}
    assert client.post(reverse("visits:night_plan_add"), plan).status_code == 400
    client.post(reverse("feedback:roster_remove", args=[shift.pk]))
    assert client.post(reverse("visits:night_plan_add"), plan).status_code == 302
    assert NightVisitPlan.objects.get().officer == alice


@pytest.mark.parametrize(
    ("at", "changeover"),
    [("07:59", "20:00"), ("08:00", "20:00"), ("16:31", "20:00"), ("19:50", "08:00+1"), ("20:00", "08:00+1")],
)
def test_a_gap_is_offered_up_to_the_next_changeover_at_least_an_hour_on(at, changeover):
    # Walkthrough 13c: a gap from 16:31 was offered for 24 hours, through the night-visit hour and off the room's
    # 08:00/20:00 changeover.
    day = date(2026, 12, 1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.fromisoformat(at), tz)
    hour, _, next_day = changeover.partition("+")
    expected = datetime.combine(day + timedelta(days=int(next_day or 0)), time.fromisoformat(hour), tz)
    assert next_changeover(start) == expected
