"""The ledger item's steps: each allowed, refused where the rules say, with its history row."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback import services as feedback_services
from jingshi_jiafang.core.models import AuditEntry, User
from ledger import services
from ledger.errors import LedgerError
from ledger.models import Ledger, LedgerEvidence, LedgerItem, LedgerItemEvent
from tests.core.factories import UserFactory, png_upload
from tests.ledger.helpers import delivered_item, dispatched_matter, open_item

pytestmark = pytest.mark.django_db
State = LedgerItem.State


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def history(item) -> list[tuple[str, str, str]]:
    return [(e.from_state, e.to_state, e.actor.username if e.actor else "") for e in item.events.order_by("pk")]


def test_items_of_one_household_share_its_one_ledger(alice, alice_household):
    first = open_item(alice, alice_household, "修缮院墙")
    second = open_item(alice, alice_household, "办理低保")
    assert first.ledger_id == second.ledger_id
    assert Ledger.objects.get().kind == Ledger.Kind.HOUSEHOLD
    assert first.state == State.KNOWN and first.for_whom == "甲户主户"
    assert history(first) == [("", "known", "alice")]
    assert AuditEntry.objects.filter(action="state_changed", object_type="ledger.LedgerItem").count() == 2


def test_an_item_goes_known_registered_delivered_closed_with_a_photo_and_a_second_person(alice, bob, alice_household):
    item = open_item(alice, alice_household)
    item = services.ledger_item_register(item=item, actor=alice, note="已报民政所")
    item = services.ledger_item_deliver(item=item, actor=alice, note="补助已到账", files=[png_upload("回执.png")])
    assert item.state == State.DELIVERED and item.delivered_by == alice and item.delivered_at
    item = services.ledger_item_close(item=item, actor=bob, note="电话核实")
    assert item.state == State.CLOSED and item.closed_by == bob
    assert history(item) == [
        ("", "known", "alice"),
        ("known", "registered", "alice"),
        ("registered", "delivered", "alice"),
        ("delivered", "closed", "bob"),
    ]
    evidence = LedgerEvidence.objects.get()
    assert evidence.event.to_state == "delivered" and evidence.original_name == "回执.png"
    assert evidence.file.name.startswith(f"ledger/{item.pk}/")


def test_steps_cannot_be_skipped(alice, bob, alice_household):
    item = open_item(alice, alice_household)
    with pytest.raises(LedgerError, match="“掌握”状态的台账事项不能"):
        services.ledger_item_deliver(item=item, actor=alice, note="办好了")
    item = services.ledger_item_register(item=item, actor=alice)
    with pytest.raises(LedgerError, match="不能转为“销号”"):
        services.ledger_item_close(item=item, actor=bob)
    assert LedgerItem.objects.get().state == State.REGISTERED
    assert item.events.count() == 2


def test_the_one_who_delivered_may_not_close(bob, alice_household):
    item = delivered_item(bob, alice_household)
    with pytest.raises(LedgerError, match="兑现人不能为自己兑现的事项销号"):
        services.ledger_item_close(item=item, actor=bob)
    assert LedgerItem.objects.get().state == State.DELIVERED


def test_the_database_refuses_a_closer_who_delivered_and_a_close_without_delivery(alice, bob, alice_household):
    item = delivered_item(alice, alice_household)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerItem.objects.filter(pk=item.pk).update(state=State.CLOSED, closed_by=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerItem.objects.filter(pk=item.pk).update(state=State.CLOSED, closed_by=bob, delivered_by=None)


def test_a_closed_item_found_not_delivered_is_reopened_and_the_history_shows_both(alice, bob, alice_household):
    evaluator = UserFactory(role=User.Role.EVALUATOR)
    item = services.ledger_item_close(item=delivered_item(alice, alice_household), actor=bob)
    item = services.ledger_item_reopen(item=item, actor=evaluator, reason="户主说补助没有到账")
    assert item.state == State.REGISTERED and item.reopened_count == 1
    assert item.delivered_by is None and item.closed_by is None
    assert [e.to_state for e in item.events.order_by("pk")] == [
        "known",
        "registered",
        "delivered",
        "closed",
        "registered",
    ]
    assert "户主说补助没有到账" in item.events.last().note
    # Delivered and closed anew, by the same two people as before: the four eyes hold again.
    item = services.ledger_item_deliver(item=item, actor=alice, note="补发到账")
    assert services.ledger_item_close(item=item, actor=bob).state == State.CLOSED
    with pytest.raises(LedgerError, match="原因"):
        services.ledger_item_reopen(item=item, actor=evaluator, reason=" ")


def test_only_a_closed_item_is_reopened(alice, alice_household):
    item = open_item(alice, alice_household)
    with pytest.raises(LedgerError, match="不能转为“登记”"):
        services.ledger_item_reopen(item=item, actor=alice, reason="不对")


def test_a_file_that_is_not_what_it_says_is_refused(alice, alice_household):
    item = services.ledger_item_register(item=open_item(alice, alice_household), actor=alice)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("照片.png", b"MZ\x90\x00not a picture", content_type="image/png")
    with pytest.raises(LedgerError, match="照片.png"):
        services.ledger_item_deliver(item=item, actor=alice, note="办好了", files=[fake])
    assert LedgerItem.objects.get().state == State.REGISTERED and not LedgerEvidence.objects.exists()


def test_texts_are_bounded(alice, alice_household):
    with pytest.raises(LedgerError, match="最多 500 个字"):
        open_item(alice, alice_household, "字" * 501)
    with pytest.raises(LedgerError, match="请填写事项内容"):
        open_item(alice, alice_household, "  ")


def test_evidence_can_be_added_without_a_step(alice, alice_household):
    item = open_item(alice, alice_household)
    event = services.ledger_item_evidence_add(item=item, actor=alice, note="现场照片", files=[png_upload()])
    assert event.from_state == event.to_state == "known" and event.evidence.count() == 1
    with pytest.raises(LedgerError, match="请填写说明或选择"):
        services.ledger_item_evidence_add(item=item, actor=alice)


def test_history_is_append_only(alice, alice_household):
    event = open_item(alice, alice_household).events.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        LedgerItemEvent.objects.all().delete()


def test_dispatching_a_matter_opens_its_item_once(duty, alice, bob, alice_household):
    matter = dispatched_matter(duty, alice, household=alice_household)
    item = LedgerItem.objects.get(matter=matter)
    assert item.state == State.KNOWN and item.responsible == alice and item.unit == alice.unit
    assert item.source == LedgerItem.Source.VISIT and item.ledger.household == alice_household
    assert item.deadline == timezone.localdate(matter.deadline)
    # 退单 and dispatched again, to the station head: the same item, handed on with a history row.
    feedback_services.matter_send_back(matter=matter, actor=alice, reason="不归我管")
    feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=bob.unit, assignee=bob)
    item.refresh_from_db()
    assert LedgerItem.objects.count() == 1 and item.responsible == bob and item.unit == bob.unit
    assert "改由" in item.events.last().note


def test_a_matters_item_is_registered_as_it_is_started_and_delivered_as_it_is_closed(duty, alice, bob):
    matter = dispatched_matter(duty, alice)
    matter = feedback_services.matter_start(matter=matter, actor=alice)
    item = LedgerItem.objects.get(matter=matter)
    assert item.state == State.REGISTERED and item.events.last().actor == alice
    feedback_services.matter_close(matter=matter, actor=alice, result="路灯已修好", reply_method="in_person")
    item.refresh_from_db()
    assert (item.state, item.delivered_by, item.events.last().note) == (State.DELIVERED, alice, "诉求办结:路灯已修好")
    # 销号 stays with the head, never the one who delivered it (four eyes).
    with pytest.raises(LedgerError, match="兑现人不能为自己兑现的事项销号"):
        services.ledger_item_close(item=item, actor=alice)
    assert services.ledger_item_close(item=item, actor=bob).state == State.CLOSED


def test_a_matter_closed_straight_from_dispatch_delivers_its_item_through_both_steps(duty, alice):
    matter = dispatched_matter(duty, duty)
    feedback_services.matter_start(matter=matter, actor=duty)
    LedgerItem.objects.filter(matter=matter).update(state=State.KNOWN)  # an item older than the rule
    feedback_services.matter_close(matter=matter, actor=duty, result="已当场答复", reply_method="in_person")
    item = LedgerItem.objects.get(matter=matter)
    steps = [(event.from_state, event.to_state) for event in item.events.order_by("pk")][-2:]
    assert item.state == State.DELIVERED and steps == [("known", "registered"), ("registered", "delivered")]


@pytest.mark.parametrize("closed_first", [False, True])
def test_a_reopened_matter_takes_its_item_back_to_registered(duty, alice, bob, closed_first):
    matter = dispatched_matter(duty, alice)
    matter = feedback_services.matter_start(matter=matter, actor=alice)
    matter = feedback_services.matter_close(matter=matter, actor=alice, result="已协调", reply_method="in_person")
    item = LedgerItem.objects.get(matter=matter)
    if closed_first:
        services.ledger_item_close(item=item, actor=bob)
    feedback_services.matter_reopen(matter=matter, actor=duty, reason="噪音还在")
    item.refresh_from_db()
    assert item.state == State.REGISTERED and (item.delivered_by, item.closed_by) == (None, None)
    assert item.reopened_count == (1 if closed_first else 0)
    assert item.events.last().note == "诉求重新办理,台账重新整改:噪音还在"


def test_a_reopened_matters_item_is_due_when_the_matter_now_is_not_overdue_at_once(duty, alice, bob):
    # Walkthrough: a talk-room callback's 不满意 reopened a matter weeks after its first answer; the matter had a
    # new deadline, its item kept the first round's day and read 超期 the moment it was reopened.
    matter = dispatched_matter(duty, alice)
    matter = feedback_services.matter_start(matter=matter, actor=alice)
    matter = feedback_services.matter_close(matter=matter, actor=alice, result="已协调", reply_method="in_person")
    item = LedgerItem.objects.get(matter=matter)
    services.ledger_item_close(item=item, actor=bob)
    long_ago = timezone.localdate() - timedelta(days=20)
    LedgerItem.objects.filter(pk=item.pk).update(deadline=long_ago)
    reopened = feedback_services.matter_reopen(matter=matter, actor=duty, reason="噪音还在")
    item.refresh_from_db()
    assert item.deadline == timezone.localdate(reopened.deadline) > timezone.localdate()
    assert not item.is_overdue


def test_a_matter_sent_back_takes_its_item_from_the_officer_back_to_its_unit_until_dispatched_again(duty, alice):
    # Walkthrough: after 退单 the matter was "已不在您的范围内", yet its item stayed in the officer's 我的台账 and on
    # his home page, its link to the matter a 404.
    matter = dispatched_matter(duty, alice)
    matter = feedback_services.matter_start(matter=matter, actor=alice)
    feedback_services.matter_send_back(matter=matter, actor=alice, reason="不归我管")
    item = LedgerItem.objects.get(matter=matter)
    assert (item.state, item.unit, item.responsible) == (State.REGISTERED, matter.unit, None)
    assert item.events.last().note == "诉求退单,待重新分流:不归我管"
    assert not LedgerItem.objects.filter(responsible=alice).exists()
    matter.refresh_from_db()
    feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=alice.unit, assignee=alice)
    item.refresh_from_db()
    assert item.responsible == alice and "改由" in item.events.last().note


def test_a_walk_in_with_no_household_gets_a_ledger_of_its_own(duty, alice):
    matter = dispatched_matter(duty, alice)
    item = LedgerItem.objects.get(matter=matter)
    assert item.ledger.kind == Ledger.Kind.MATTER and item.ledger.matter == matter
    assert item.source == LedgerItem.Source.TALK_ROOM and item.for_whom == "张大姐"
    assert item.household is None


def test_a_matter_not_dispatched_is_not_put_in_the_ledger(duty):
    matter = feedback_services.matter_register(channel="phone", content="问路", unit=duty.unit, actor=duty)
    with pytest.raises(LedgerError, match="分流后"):
        services.ledger_item_open_for_matter(matter=matter, actor=duty)


def test_overdue_is_open_and_past_the_deadline(alice, bob, alice_household):
    late = open_item(alice, alice_household, days=-1)
    assert late.is_overdue
    closed = services.ledger_item_close(item=delivered_item(alice, alice_household), actor=bob)
    LedgerItem.objects.filter(pk=closed.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    closed.refresh_from_db()
    assert not closed.is_overdue


def test_the_head_sends_a_delivered_item_back_with_a_reason_and_the_history_shows_it(alice, bob, alice_household):
    item = delivered_item(alice, alice_household)
    with pytest.raises(LedgerError, match="原因"):
        services.ledger_item_send_back(item=item, actor=bob, reason="  ")
    item = services.ledger_item_send_back(item=item, actor=bob, reason="路灯还没有装")
    assert item.state == State.REGISTERED and item.delivered_by is None and item.delivered_at is None
    last = item.events.order_by("pk").last()
    assert (last.from_state, last.to_state, last.actor) == ("delivered", "registered", bob)
    assert "路灯还没有装" in last.note
    # Only a delivered item is sent back.
    with pytest.raises(LedgerError, match="不能转为“登记”"):
        services.ledger_item_send_back(item=item, actor=bob, reason="再退")
