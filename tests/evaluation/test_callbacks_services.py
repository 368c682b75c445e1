"""The next-day callbacks' services, called directly: making them for a day (also by the task and the command),
one call after another across days, and what an answer does to a matter, a ledger item and a visit."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluation.errors import CallbackError
from evaluation.models import Callback, CallbackAttempt
from evaluation.selectors.callbacks import callback_phone, callbacks_without_phone, false_visits
from evaluation.services.callbacks import (
    callback_comment_to_matter,
    callback_phone_reveal,
    callback_record,
    callbacks_create,
    callbacks_missing,
)
from evaluation.tasks import create_callbacks_task
from feedback.models import Matter
from feedback.services.classification import topic_suggest
from jingshi_jiafang.core.models import AuditEntry, User
from ledger.models import LedgerItem
from tests.core.factories import HouseholdFactory, OrganisationFactory, UserFactory
from tests.evaluation.factories import VisitCallbackFactory, closed_item, closed_matter, evaluator
from tests.feedback.helpers import issue_and_hand_out
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


def _yesterday():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def duty(village_a):
    return UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit, name="值班员")


@pytest.fixture
def caller():
    return evaluator()


def test_every_visit_of_the_day_gets_one_callback_due_the_next_day(alice, alice_household):
    visit = VisitFactory(household=alice_household, visitor=alice)
    VisitFactory(household=alice_household, visitor=alice, visited_at=timezone.now() - timedelta(days=3))
    assert callbacks_create(day=_yesterday()) == 1
    callback = Callback.objects.get()
    assert callback.visit == visit and callback.source == "visit"
    assert (callback.household, callback.village, callback.unit, callback.worker) == (
        alice_household,
        alice_household.village,
        alice.unit,
        alice,
    )
    assert callback.source_date == _yesterday() and callback.due_date == timezone.localdate()


def test_an_organisation_visit_is_called_back_on_the_organisation_phone(alice, village_a):
    organisation = OrganisationFactory(village=village_a, phone="13912345678")
    VisitFactory(household=None, organisation=organisation, village=village_a, visitor=alice)
    callbacks_create(day=_yesterday())
    callback = Callback.objects.get()
    assert callback.household is None and callback.village == village_a


def test_closed_matters_and_items_are_called_back_with_who_handled_them(alice, bob, duty, alice_household):
    matter = closed_matter(duty, alice, household=alice_household)
    walk_in = closed_matter(duty, duty, content="来访")  # a walk-in without household or phone: nobody to call
    Matter.objects.filter(pk=walk_in.pk).update(resident_phone="")
    item = closed_item(alice, bob, alice_household)
    assert callbacks_create(day=timezone.localdate()) == 2
    by_source = {callback.source: callback for callback in Callback.objects.all()}
    assert by_source["matter"].matter == matter and by_source["matter"].worker == alice
    assert by_source["matter"].village == alice_household.village
    assert by_source["ledger_item"].ledger_item == item and by_source["ledger_item"].worker == alice
    assert by_source["ledger_item"].due_date == timezone.localdate() + timedelta(days=1)


def test_a_walk_in_with_a_phone_is_called_back_and_its_handler_is_the_owner(duty):
    matter = closed_matter(duty, duty, content="来访")
    Matter.objects.filter(pk=matter.pk).update(resident_phone="13800001111", assignee=None, owner=duty)
    callbacks_create(day=timezone.localdate())
    callback = Callback.objects.get()
    assert callback.household is None and callback.worker == duty


def _walk_in_closed(duty, *, resident_phone="", card=None):
    """A talk-room walk-in taken along the real flow and answered in person, closed now."""
    from feedback import services

    walk_in = services.walk_in_register(
        actor=duty,
        submission_key=uuid.uuid4(),
        channel=Matter.Channel.TALK_ROOM,
        content="村口路灯坏了",
        resident_name="王大爷",
        resident_phone=resident_phone,
        card_number=card.number if card else "",
    )
    services.matter_analyse(matter=walk_in.matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=walk_in.matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=walk_in.matter, actor=duty)
    return services.matter_close(matter=walk_in.matter, actor=duty, result="已修好", reply_method="in_person")


def test_a_walk_in_with_a_card_of_a_household_without_phone_who_left_none_is_not_called_back(alice, duty, village_a):
    household = HouseholdFactory(village=village_a, phone="")
    _, card = issue_and_hand_out(alice.unit, alice, household)
    matter = _walk_in_closed(duty, card=card)
    assert matter.household == household and not matter.resident_phone
    assert callbacks_create(day=timezone.localdate()) == 0
    assert not callbacks_missing(day=timezone.localdate())  # nothing left for the reconciler to queue again


def test_a_walk_in_who_left_a_phone_is_called_on_it_when_the_card_household_has_none(alice, duty, caller, village_a):
    household = HouseholdFactory(village=village_a, phone="")
    _, card = issue_and_hand_out(alice.unit, alice, household)
    _walk_in_closed(duty, resident_phone="13800001111", card=card)
    assert callbacks_create(day=timezone.localdate()) == 1
    callback = Callback.objects.get()
    assert callback.household == household and callback_phone(callback) == "13800001111"
    assert callback_phone_reveal(callback=callback, actor=caller) == "13800001111"
    assert AuditEntry.objects.filter(action="reveal_phone", object_id=str(callback.pk)).exists()
    assert not callbacks_without_phone().exists()


def test_a_ledger_item_of_a_household_without_phone_is_not_called_back(alice, bob, village_a):
    closed_item(alice, bob, HouseholdFactory(village=village_a, phone=""))
    closed_item(alice, bob, HouseholdFactory(village=village_a, phone="13912340000"))
    assert callbacks_create(day=timezone.localdate()) == 1
    assert Callback.objects.get().household.phone == "13912340000"


def test_making_the_callbacks_twice_makes_nothing_new_by_task_and_by_command(alice, alice_household):
    for _ in range(3):
        VisitFactory(household=alice_household, visitor=alice)
    day = _yesterday().isoformat()
    assert create_callbacks_task.delay(day).get() == 3
    assert create_callbacks_task.delay(day).get() == 0
    call_command("create_callbacks", "--date", day, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Callback.objects.count() == 3
    VisitFactory(household=alice_household, visitor=alice)
    call_command("create_callbacks", stdout=open("/dev/null", "w"))  # noqa: SIM115 - default: yesterday
    assert Callback.objects.count() == 4


def test_making_the_callbacks_takes_a_fixed_number_of_queries(alice):
    for _ in range(2):
        VisitFactory(visitor=alice)
    with CaptureQueriesContext(connection) as few:
        callbacks_create(day=_yesterday())
    for _ in range(20):
        VisitFactory(visitor=alice)
    Callback.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        callbacks_create(day=_yesterday())
    assert len(many) == len(few)


def test_not_reached_is_tried_on_the_next_two_days_then_given_up(caller):
    callback = VisitCallbackFactory()
    day = callback.due_date
    for n in range(1, 3):
        callback, message = callback_record(callback=callback, actor=caller, reached=False, today=day)
        assert callback.state == "due" and callback.attempts == n and callback.due_date == day + timedelta(days=1)
        assert "明天再打" in message
        day += timedelta(days=1)
    callback, message = callback_record(callback=callback, actor=caller, reached=False, today=day)
    assert callback.state == "given_up" and "放弃" in message
    history = list(callback.history.values_list("call_date", "reached", "gave_up"))
    start = day - timedelta(days=2)
    assert history == [(start, False, False), (start + timedelta(days=1), False, False), (day, False, True)]


def test_what_is_written_on_a_call_not_reached_is_kept_on_the_call(caller):
    callback = VisitCallbackFactory()
    with pytest.raises(CallbackError, match="最多 200 个字"):
        callback_record(callback=callback, actor=caller, reached=False, comment="关" * 201, today=callback.due_date)
    callback_record(callback=callback, actor=caller, reached=False, comment="家人说外出打工", today=callback.due_date)
    assert callback.history.get().note == "家人说外出打工"
    callback.refresh_from_db()
    assert callback.comment == ""


def test_the_same_call_recorded_twice_is_one_attempt(caller):
    callback = VisitCallbackFactory()
    callback_record(callback=callback, actor=caller, reached=False, today=callback.due_date)
    with pytest.raises(CallbackError, match="今天已经拨打过"):
        callback_record(callback=callback, actor=caller, reached=False, today=callback.due_date)
    done = VisitCallbackFactory()
    answer = {"reached": True, "visit_check": "confirmed", "satisfaction": "satisfied", "today": done.due_date}
    callback_record(callback=done, actor=caller, **answer)
    with pytest.raises(CallbackError, match="已回访"):
        callback_record(callback=done, actor=caller, **answer)
    assert CallbackAttempt.objects.count() == 2


def test_a_callback_is_not_called_before_it_is_due(caller):
    callback = VisitCallbackFactory()
    with pytest.raises(CallbackError):
        callback_record(callback=callback, actor=caller, reached=False, today=callback.due_date - timedelta(days=1))


def test_only_the_evaluation_centre_records_callbacks(alice):
    with pytest.raises(CallbackError):
        callback_record(callback=VisitCallbackFactory(), actor=alice, reached=False)


def test_a_reached_visit_callback_needs_the_visit_checked_and_the_satisfaction(caller):
    callback = VisitCallbackFactory()
    with pytest.raises(CallbackError, match="是否确认"):
        callback_record(callback=callback, actor=caller, reached=True, satisfaction="satisfied")
    with pytest.raises(CallbackError, match="满意度"):
        callback_record(callback=callback, actor=caller, reached=True, visit_check="confirmed")
    assert not CallbackAttempt.objects.exists()


def test_a_denied_visit_is_a_false_visit_on_the_officers_record(caller, alice, alice_household):
    callback = VisitCallbackFactory(visit=VisitFactory(household=alice_household, visitor=alice))
    callback, message = callback_record(
        callback=callback, actor=caller, reached=True, visit_check="denied", comment="没人来过", today=callback.due_date
    )
    assert callback.is_false_visit and callback.state == "done" and callback.done_by == caller
    assert "虚假走访" in message
    assert list(false_visits(worker=alice)) == [callback]
    assert not false_visits(worker=caller).exists()


def test_not_satisfied_with_a_matter_reopens_it(caller, alice, duty, alice_household):
    matter = closed_matter(duty, alice, household=alice_household)
    callbacks_create(day=timezone.localdate())
    callback = Callback.objects.get()
    callback, message = callback_record(
        callback=callback,
        actor=caller,
        reached=True,
        satisfaction="not_satisfied",
        comment="灯还是不亮",
        today=callback.due_date,
    )
    matter.refresh_from_db()
    assert matter.state == Matter.State.HANDLING and matter.closed_at is None
    assert "灯还是不亮" in matter.events.order_by("pk").last().note
    assert matter.reference in message


def test_not_satisfied_with_a_ledger_item_reopens_it(caller, alice, bob, alice_household):
    item = closed_item(alice, bob, alice_household)
    callbacks_create(day=timezone.localdate())
    callback = Callback.objects.get()
    callback_record(
        callback=callback, actor=caller, reached=True, satisfaction="not_satisfied", today=callback.due_date
    )
    item.refresh_from_db()
    assert item.state == LedgerItem.State.REGISTERED and item.reopened_count == 1


def test_a_comment_becomes_one_matter_however_often_asked(caller, alice_household):
    callback = VisitCallbackFactory(household=alice_household, visit=VisitFactory(household=alice_household))
    callback, _ = callback_record(
        callback=callback,
        actor=caller,
        reached=True,
        visit_check="confirmed",
        satisfaction="fairly_satisfied",
        comment="希望晚上多巡逻",
        today=callback.due_date,
    )
    matter, made = callback_comment_to_matter(callback=callback, actor=caller)
    again, made_again = callback_comment_to_matter(callback=callback, actor=caller)
    assert made and not made_again and again == matter
    assert matter.channel == Matter.Channel.PHONE and matter.household == alice_household
    assert "希望晚上多巡逻" in matter.content and matter.unit == alice_household.village.unit
    assert Matter.objects.count() == 1
    # The label saying where the words came from does not sway the topic suggested for them.
    bare = topic_suggest("希望晚上多巡逻")
    assert (
        matter.category_confidence == bare.fields()["category_confidence"]
        and matter.category_suggested == bare.category
    )


def test_a_callback_without_a_comment_does_not_become_a_matter(caller):
    callback = VisitCallbackFactory()
    with pytest.raises(CallbackError):
        callback_comment_to_matter(callback=callback, actor=caller)


def test_households_without_phone_are_still_called_back_by_house(alice):
    VisitFactory(visitor=alice, household=HouseholdFactory(phone=""))
    assert callbacks_create(day=_yesterday()) == 1


def test_a_visit_entered_late_is_called_back_after_the_day_it_was_entered(alice, alice_household):
    now = timezone.now()
    late = VisitFactory(
        household=alice_household, visitor=alice, visited_at=now - timedelta(days=4), created_at=now - timedelta(days=1)
    )
    assert callbacks_create(day=timezone.localdate() - timedelta(days=4)) == 1  # the demo's way: run after entry
    Callback.objects.all().delete()
    assert callbacks_create(day=_yesterday()) == 1
    callback = Callback.objects.get()
    assert callback.visit == late and callback.source_date == timezone.localdate(late.visited_at)
    assert callback.due_date == timezone.localdate()
    assert callbacks_create(day=_yesterday()) == 0


def test_false_visits_are_counted_per_officer_and_unit(caller, alice, bob, alice_household):
    from evaluation.selectors.callbacks import false_visit_counts

    for visitor, check in ((alice, "denied"), (alice, "denied"), (bob, "denied"), (bob, "confirmed")):
        callback = VisitCallbackFactory(visit=VisitFactory(household=alice_household, visitor=visitor))
        answer = {"visit_check": check, "satisfaction": "satisfied"}
        callback_record(callback=callback, actor=caller, reached=True, today=callback.due_date, **answer)
    day = _yesterday()
    assert false_visit_counts(start=day, end=day) == {alice.pk: 2, bob.pk: 1}
    assert false_visit_counts(start=day, end=day, by="unit") == {alice.unit_id: 2, bob.unit_id: 1}
    assert false_visit_counts(start=day - timedelta(days=3), end=day - timedelta(days=1)) == {}


def test_the_job_runs_early_each_morning():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["create-callbacks"]
    assert entry["task"] == create_callbacks_task.name
    assert entry["schedule"].hour == {5}
