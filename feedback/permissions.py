"""Who may do what to a matter. The matter page asks `matter_actions` which buttons to show, and every action
view checks the same answer, so a button and its permission cannot drift apart."""

from feedback.models import Matter
from feedback.services.matters import ALLOWED_TRANSITIONS
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.scopes import unit_subtree

State = Matter.State

# action → the state it moves the matter to (None: no change of state)
ACTION_TARGETS = {
    "analyse": State.ANALYSED,
    "merge": State.MERGED,
    "dispatch": State.DISPATCHED,
    "start": State.HANDLING,
    "progress": None,
    "send_back": State.ANALYSED,
    "close": State.CLOSED,
    "hand_over": None,
}


def _dispatcher_of(user: User, matter: Matter) -> bool:
    """The responsible unit's head or duty officer (or their station's) analyses and dispatches."""
    if not user.unit_id or not (user.is_unit_head or user.role == User.Role.DUTY_OFFICER):
        return False
    return unit_subtree(user.unit).filter(pk=matter.unit_id).exists()


def _handler_of(user: User, matter: Matter) -> bool:
    if matter.assignee_id is not None:
        return matter.assignee_id == user.pk
    if matter.assigned_unit_id is None or not user.unit_id:
        return False
    in_unit = unit_subtree(user.unit).filter(pk=matter.assigned_unit_id).exists()
    return in_unit and (user.is_unit_head or user.role in (User.Role.DUTY_OFFICER, User.Role.OFFICER))


def matter_actions(user: User, matter: Matter) -> set[str]:
    actions = set()
    moves = ALLOWED_TRANSITIONS[matter.state]
    if matter.state in (State.REPORTED, State.ANALYSED) and _dispatcher_of(user, matter):
        actions |= {"analyse", "merge"} if matter.state == State.REPORTED else {"dispatch", "merge"}
    if matter.state in (State.DISPATCHED, State.HANDLING) and _handler_of(user, matter):
        actions |= {"start", "send_back"} if matter.state == State.DISPATCHED else {"progress", "close", "send_back"}
    if matter.owner_id == user.pk and matter.is_open:
        actions.add("hand_over")
    # The map has the last word: an action whose move it does not allow is never offered.
    return {action for action in actions if ACTION_TARGETS[action] is None or ACTION_TARGETS[action] in moves}
