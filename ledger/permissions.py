"""Who may do what in the ledger: small named predicates of (user, item) that the action registry
(ledger/workflows.py) and the pages read, so a button and its permission cannot drift apart."""

from feedback.models import Matter
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Household, User
from jingshi_jiafang.core.scopes import households_visible_to, unit_subtree
from ledger.models import LedgerItem


def heads_unit_of(user: User, item: LedgerItem) -> bool:
    """The head of the item's unit, or of a unit above it (a station head for a police room's item)."""
    if not can.may_head_unit(user):
        return False
    return unit_subtree(user.unit).filter(pk=item.unit_id).exists()


def answers_for(user: User, item: LedgerItem) -> bool:
    """The responsible person; an item with none is the unit's, worked by its officers and duty officers."""
    if item.responsible_id is not None:
        return item.responsible_id == user.pk
    if not can.works_unit_items(user):
        return False
    return unit_subtree(user.unit).filter(pk=item.unit_id).exists()


def may_work(user: User, item: LedgerItem) -> bool:
    """补充材料 (and, with `may_step`, 登记 and 兑现): the one who answers for the item, or the head of its unit."""
    return answers_for(user, item) or heads_unit_of(user, item)


def follows_its_matter(item: LedgerItem) -> bool:
    """A matter's item while the matter is still being handled: it is registered as its handler starts (开始处理)
    and delivered with the matter's result (办结), so neither step is typed a second time on the item page (a 兑现
    there would claim the promise kept, and let the head 销号 it, before the resident had any answer). Once the
    matter is closed, an item sent back (退回整改) or taken up anew is delivered here again."""
    if item.matter_id is None:
        return False
    return item.matter.state not in (Matter.State.CLOSED, Matter.State.MERGED)


def may_step(user: User, item: LedgerItem) -> bool:
    """登记 and 兑现: whoever may work the item, unless it follows its matter's steps."""
    return may_work(user, item) and not follows_its_matter(item)


def may_close(user: User, item: LedgerItem) -> bool:
    """销号: the head of the item's unit, and never the one who delivered it (four eyes)."""
    return heads_unit_of(user, item) and item.delivered_by_id != user.pk


def may_reopen(user: User, item: LedgerItem) -> bool:
    """A closed item found not delivered: the evaluation centre on a callback, or the head of its unit."""
    return can.may_call_residents_back(user) or heads_unit_of(user, item)


def may_open_for(user: User, household: Household) -> bool:
    """Opening an item by hand: someone who works households and can see this one."""
    if not can.may_open_ledger_items(user):
        return False
    return households_visible_to(user).filter(pk=household.pk).exists()
