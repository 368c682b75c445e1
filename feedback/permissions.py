"""Who may do what to a matter. Each action in the registry (feedback/workflows.py) names the states it is
offered in and who may take it; the matter page shows what `offered_actions` returns and the action view checks
`matter_actions`, the same answer, so a button and its permission cannot drift apart."""

from feedback.models import Matter
from feedback.workflows import MATTER_FLOW, dispatches, handles, owns
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.workflow import Action


def offered_actions(user: User, matter: Matter) -> list[Action]:
    """What `user` may do to `matter` in its state now, in the order the page shows it."""
    return MATTER_FLOW.actions_for(user, matter)


def matter_actions(user: User, matter: Matter) -> set[str]:
    return {action.name for action in offered_actions(user, matter)}


def may_contact_resident(user: User, matter: Matter) -> bool:
    """Who sees the phone a resident left on `matter` (masked, and in full by the audited reveal when their role
    may reveal a phone): those the workflow names to act on it, its unit's desk who dispatch it, its handler and
    its first receiver, in any state, since a reply or a question may follow at any step. Others who may see the
    matter read it without the number."""
    return dispatches(user, matter) or handles(user, matter) or owns(user, matter)
