"""The two workflows of the feedback app, each a transition map and, next to it, its action registry.

Matters: 汇报 reported → 研判 analysed → 分流 dispatched → 处理 handling → 办结 closed, or 已合并 merged into a
duplicate. Echo cards: 库存 in stock → 已发放 handed out → 已回音 echoed, or 已作废 voided.

Services act through these workflows, `feedback.permissions` and the matter page read the registries, and the
open states (queues, overdue, escalation) come from here: a new state or action is one edit in this file (and
its service).
"""

from feedback.errors import CardError, MatterError
from feedback.models import EchoCard, EchoCardEvent, Matter, MatterEvent
from jingshi_jiafang.core.capabilities import may_dispatch_matters_of, may_handle_matters_of
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.workflow import Action, Workflow

State = Matter.State

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    State.REPORTED: {State.ANALYSED, State.MERGED},
    State.ANALYSED: {State.DISPATCHED, State.MERGED},
    # 退单: a wrongly routed matter goes back to the dispatcher, i.e. to 研判.
    State.DISPATCHED: {State.HANDLING, State.ANALYSED},
    State.HANDLING: {State.CLOSED, State.ANALYSED},
    # A callback that finds the resident not satisfied reopens a closed matter.
    State.CLOSED: {State.HANDLING},
    State.MERGED: set(),
}


def dispatches(user: User, matter: Matter) -> bool:
    """The responsible unit's head or duty officer (or their station's) analyses and dispatches."""
    return may_dispatch_matters_of(user, matter.unit_id)


def handles(user: User, matter: Matter) -> bool:
    """The assignee, or when the matter went to a unit only, that unit's head and officers."""
    if matter.assignee_id is not None:
        return matter.assignee_id == user.pk
    return may_handle_matters_of(user, matter.assigned_unit_id)


def owns(user: User, matter: Matter) -> bool:
    """首问责任制: whoever first received the matter answers for it until they hand it over."""
    return matter.owner_id == user.pk


MATTER_FLOW = Workflow(
    model=Matter,
    transitions=ALLOWED_TRANSITIONS,
    history=MatterEvent,
    history_of="matter",
    error=MatterError,
    refusal="“{state}”状态的诉求不能{deed}。请刷新页面查看最新状态。",
    # A closed matter can still be reopened by a callback, but nothing is pending in it.
    final=[State.CLOSED, State.MERGED],
    # In the order the matter page shows them.
    actions=[
        Action(
            "analyse",
            "研判",
            "研判完成。",
            target=State.ANALYSED,
            # Only from 汇报: a matter sent back to 研判 arrives by 退单.
            sources=frozenset({State.REPORTED}),
            may=dispatches,
            form="feedback.forms.AnalyseForm",
            button="保存研判",
        ),
        Action(
            "merge",
            "合并重复诉求",
            "已合并。",
            target=State.MERGED,
            may=dispatches,
            form="feedback.forms.MergeForm",
            button="合并",
        ),
        Action(
            "dispatch", "分流", "已分流。", target=State.DISPATCHED, may=dispatches, form="feedback.forms.DispatchForm"
        ),
        Action(
            # A stuck or overdue (督办) matter given to another unit or officer; it stays where it is in the flow.
            "reassign",
            "改派",
            "已改派。",
            sources=frozenset({State.DISPATCHED, State.HANDLING}),
            may=dispatches,
            form="feedback.forms.ReassignForm",
            button="改派",
            aside=True,
        ),
        Action(
            "start",
            "开始处理",
            "已开始处理。",
            target=State.HANDLING,
            # Only once dispatched: a closed matter is reopened by a callback, not from its page.
            sources=frozenset({State.DISPATCHED}),
            may=handles,
        ),
        Action(
            "progress",
            "记录进展",
            "进展已记录。",
            sources=frozenset({State.HANDLING}),
            may=handles,
            form="feedback.forms.NoteForm",
            button="记录",
        ),
        Action(
            "send_back",
            "退单",
            "已退单。",
            target=State.ANALYSED,
            sources=frozenset({State.DISPATCHED, State.HANDLING}),
            may=handles,
            form="feedback.forms.NoteForm",
            confirm="确定退单吗?诉求将回到研判。",
        ),
        Action(
            "close",
            "办结",
            "已办结。",
            target=State.CLOSED,
            may=handles,
            form="feedback.forms.CloseForm",
            # It answers the resident: the result is what they read.
            confirm="确定办结吗?办理结果将作为答复告知群众。",
        ),
        Action(
            "hand_over",
            "移交(首问责任)",
            "已移交。",
            may=owns,
            form="feedback.forms.HandOverForm",
            button="移交",
            aside=True,
        ),
    ],
)

CardState = EchoCard.State
CARD_TRANSITIONS: dict[str, set[str]] = {
    CardState.IN_STOCK: {CardState.HANDED_OUT, CardState.VOIDED},
    CardState.HANDED_OUT: {CardState.ECHOED, CardState.VOIDED},
    CardState.ECHOED: set(),
    CardState.VOIDED: set(),
}

# Cards are managed on the unit's card pages, which admit only those who manage the unit's cards; the resident's
# echo is a move of its own (services.cards.card_echo), not an action anyone picks.
CARD_FLOW = Workflow(
    model=EchoCard,
    transitions=CARD_TRANSITIONS,
    history=EchoCardEvent,
    history_of="card",
    error=CardError,
    refusal="回音卡 {obj} 当前为“{state}”,不能{deed}。",
    actions=[
        Action("hand_out", "发放", "回音卡 {obj} 已登记发放给{obj.household}。", target=CardState.HANDED_OUT),
        Action("void", "作废", "回音卡 {obj} 已作废。", target=CardState.VOIDED),
    ],
)
