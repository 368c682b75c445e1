"""The ledger item's workflow: 掌握 known → 登记 registered → 兑现 delivered → 销号 closed, one step at a time; a
delivered item the head finds not done is sent back to 登记 (退回整改); a
closed item a callback finds not delivered goes back to 登记 (reopened), to be delivered and closed again.

Services act through LEDGER_FLOW, the item page and the action view read its registry; who may is in
ledger/permissions.py.
"""

from jingshi_jiafang.core.workflow import Action, Workflow
from ledger.errors import LedgerError
from ledger.models import LedgerItem, LedgerItemEvent
from ledger.permissions import may_close, may_reopen, may_step, may_work

State = LedgerItem.State

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    State.KNOWN: {State.REGISTERED},
    State.REGISTERED: {State.DELIVERED},
    # 销号 when it is done; 退回整改 back to 登记 when the head finds it is not.
    State.DELIVERED: {State.CLOSED, State.REGISTERED},
    # A callback that finds it not delivered: back to 登记, to be delivered again.
    State.CLOSED: {State.REGISTERED},
}

LEDGER_FLOW = Workflow(
    model=LedgerItem,
    transitions=ALLOWED_TRANSITIONS,
    history=LedgerItemEvent,
    history_of="item",
    error=LedgerError,
    refusal="“{state}”状态的台账事项不能{deed}。请刷新页面查看最新状态。",
    # A closed item can be reopened, but nothing is pending in it.
    final=[State.CLOSED],
    # In the order the item page shows them.
    actions=[
        Action(
            "register",
            "登记",
            "已登记入账。",
            target=State.REGISTERED,
            sources=frozenset({State.KNOWN}),
            may=may_step,
            form="ledger.forms.StepForm",
            button="登记入账",
        ),
        Action(
            "deliver", "兑现", "已记录兑现。", target=State.DELIVERED, may=may_step, form="ledger.forms.DeliverForm"
        ),
        Action(
            "close",
            "销号",
            "已销号。",
            target=State.CLOSED,
            may=may_close,
            form="ledger.forms.StepForm",
            confirm="确定销号吗?销号前请核实已经兑现。",
        ),
        Action(
            "send_back",
            "退回整改",
            "已退回整改,事项回到“登记”。",
            target=State.REGISTERED,
            sources=frozenset({State.DELIVERED}),
            may=may_close,
            form="ledger.forms.SendBackForm",
            confirm="确定退回整改吗?事项将回到“登记”,需重新兑现。",
        ),
        Action(
            "evidence",
            "补充材料",
            "材料已补充。",
            sources=frozenset({State.KNOWN, State.REGISTERED, State.DELIVERED}),
            may=may_work,
            form="ledger.forms.EvidenceForm",
            button="保存",
        ),
        Action(
            "reopen",
            "重新整改",
            "已重新整改,事项回到“登记”。",
            target=State.REGISTERED,
            sources=frozenset({State.CLOSED}),
            may=may_reopen,
            form="ledger.forms.ReopenForm",
            confirm="确定重新整改吗?事项将回到“登记”,需重新兑现、销号。",
        ),
    ],
)


def offered_actions(user, item: LedgerItem) -> list[Action]:
    """What `user` may do to `item` in its state now, in the order the page shows it."""
    return LEDGER_FLOW.actions_for(user, item)
