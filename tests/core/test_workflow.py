"""The workflow engine: moves checked against the map, history and audit in the same transaction, the action
registry checked against the map when it is built, and offered by state and by who may."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from feedback import services
from feedback.errors import CardError, MatterError
from feedback.models import EchoCard, Matter, MatterEvent
from feedback.workflows import CARD_FLOW, MATTER_FLOW
from jingshi_jiafang.core import workflow as engine
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import AuditEntry, User
from jingshi_jiafang.core.workflow import Action, Workflow
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in

pytestmark = pytest.mark.django_db

State = Matter.State
MAP = {
    State.REPORTED: {State.ANALYSED},
    State.ANALYSED: {State.CLOSED},
    State.DISPATCHED: set(),
    State.HANDLING: set(),
    State.CLOSED: set(),
    State.MERGED: set(),
}


class ToyError(DomainError):
    pass


def toy(*actions: Action, transitions=MAP) -> Workflow:
    return Workflow(
        model=Matter,
        transitions=transitions,
        history=MatterEvent,
        history_of="matter",
        error=ToyError,
        refusal="“{state}”状态的诉求不能{deed}。",
        actions=actions,
    )


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def _audits(matter):
    return AuditEntry.objects.filter(action="state_changed", object_type="feedback.Matter", object_id=str(matter.pk))


def test_an_allowed_move_saves_the_state_and_writes_history_and_audit_with_actor_and_request(duty):
    matter = walk_in(duty)
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    request.user = duty
    moved = MATTER_FLOW.act(
        matter, "analyse", actor=duty, note="研判", request=request, fields={"category": "other", "urgency": "urgent"}
    )
    matter.refresh_from_db()
    assert (
        (matter.state, matter.category, matter.urgency)
        == ("analysed", "other", "urgent")
        == (
            moved.state,
            moved.category,
            moved.urgency,
        )
    )
    event = matter.events.last()
    assert (event.from_state, event.to_state, event.actor, event.note) == ("reported", "analysed", duty, "研判")
    audit = _audits(matter).order_by("id").last()
    assert audit.detail == {"from": "reported", "to": "analysed"}
    assert (audit.actor, audit.ip_address) == (duty, "10.1.2.3")


def test_a_failure_after_the_history_row_rolls_back_the_whole_move(duty, monkeypatch):
    matter = walk_in(duty)
    events, audits = matter.events.count(), _audits(matter).count()

    def broken_audit(**kwargs):
        assert MatterEvent.objects.filter(matter=matter).count() == events + 1  # the history row is written
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(engine, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        MATTER_FLOW.act(matter, "analyse", actor=duty, note="研判", fields={"category": "other", "urgency": "normal"})
    matter.refresh_from_db()
    assert (matter.state, matter.category) == ("reported", "")
    assert (matter.events.count(), _audits(matter).count()) == (events, audits)


def test_a_move_the_map_forbids_is_refused_in_chinese_and_writes_nothing(duty):
    matter = walk_in(duty)
    events, audits = matter.events.count(), _audits(matter).count()
    with pytest.raises(DomainError, match="“汇报”状态的诉求不能转为“办结”。请刷新页面查看最新状态。"):
        MATTER_FLOW.move(matter, State.CLOSED, actor=duty, note="", fields={"result": "x"})
    matter.refresh_from_db()
    assert matter.state == "reported" and matter.result == ""
    assert (matter.events.count(), _audits(matter).count()) == (events, audits)


def test_an_action_is_refused_outside_its_states_even_where_the_map_allows_its_target(duty):
    # The map lets a closed matter back to 处理 (a callback reopens it), but 开始处理 is offered only once dispatched.
    matter = walk_in(duty)
    Matter.objects.filter(pk=matter.pk).update(state=State.CLOSED, result="已答复")
    with pytest.raises(DomainError, match="“办结”状态的诉求不能转为“处理”"):
        MATTER_FLOW.act(matter, "start", actor=duty, note="")
    with pytest.raises(DomainError, match="“办结”状态的诉求不能记录进展"):
        MATTER_FLOW.lock(matter, action="progress")


def test_each_workflow_refuses_with_its_own_apps_error_in_its_own_words(duty):
    card = services.card_batch_issue(unit=duty.unit, count=1, actor=duty).cards.get()
    CARD_FLOW.act(card, "void", actor=duty, note="遗失", fields={"void_reason": "遗失"})
    with pytest.raises(CardError, match=f"回音卡 {card.number} 当前为“已作废”,不能转为“已作废”"):
        CARD_FLOW.act(card, "void", actor=duty, note="又作废", fields={"void_reason": "又作废"})
    assert [(e.from_state, e.to_state) for e in card.events.all()] == [("in_stock", "voided")]
    assert issubclass(CardError, DomainError) and issubclass(MatterError, DomainError)


def test_an_action_the_map_forbids_fails_when_the_registry_is_built():
    with pytest.raises(ImproperlyConfigured, match="'close'.*forbids"):
        toy(Action("close", "办结", "已办结。", target=State.CLOSED, sources=frozenset({State.REPORTED})))
    with pytest.raises(ImproperlyConfigured, match="no state offers it"):
        toy(Action("dispatch", "分流", "已分流。", target=State.DISPATCHED))
    with pytest.raises(ImproperlyConfigured, match="twice"):
        toy(Action("note", "记录", "已记录。"), Action("note", "记录", "已记录。"))


def test_a_map_must_name_every_state_and_only_states():
    with pytest.raises(ImproperlyConfigured, match="every state"):
        toy(transitions={State.REPORTED: {State.ANALYSED}})
    with pytest.raises(ImproperlyConfigured, match="unknown states"):
        toy(transitions={**MAP, State.REPORTED: {"lost"}})


def test_sources_are_derived_from_the_map_and_notes_are_offered_in_every_open_state():
    flow = toy(Action("analyse", "研判", "研判完成。", target=State.ANALYSED), Action("note", "记录", "已记录。"))
    assert flow.action("analyse").sources == {State.REPORTED}
    # The states the map lets nothing leave are final; the rest are open.
    assert flow.open_states == (State.REPORTED, State.ANALYSED)
    assert flow.action("note").sources == set(flow.open_states)
    assert not flow.is_open(State.CLOSED)


def test_a_final_state_may_be_left_and_still_not_be_open():
    assert MATTER_FLOW.open_states == (State.REPORTED, State.ANALYSED, State.DISPATCHED, State.HANDLING)
    assert State.HANDLING in MATTER_FLOW.transitions[State.CLOSED]
    assert CARD_FLOW.open_states == (EchoCard.State.IN_STOCK, EchoCard.State.HANDED_OUT)


def test_actions_for_filters_by_state_and_by_who_may(duty, alice):
    flow = toy(
        Action("analyse", "研判", "研判完成。", target=State.ANALYSED, may=lambda user, m: user.pk == m.owner_id),
        Action("note", "记录", "已记录。"),
        Action("close", "办结", "已办结。", target=State.CLOSED),
    )
    matter = walk_in(duty)
    assert [a.name for a in flow.actions_for(duty, matter)] == ["analyse", "note"]
    assert [a.name for a in flow.actions_for(alice, matter)] == ["note"]
    matter.state = State.ANALYSED
    assert [a.name for a in flow.actions_for(duty, matter)] == ["note", "close"]
    matter.state = State.CLOSED
    assert flow.actions_for(duty, matter) == []


def test_every_registered_form_imports_and_every_message_formats(duty):
    matter = walk_in(duty)
    for flow in (MATTER_FLOW, CARD_FLOW):
        for action in flow.actions.values():
            assert action.form is None or action.form_class.__name__ == action.form.rsplit(".", 1)[1]
            assert action.button_text
    assert MATTER_FLOW.action("close").done_message(matter) == "已办结。"
