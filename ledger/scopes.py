"""Which ledger items a user may see, on top of core's scopes: an item is visible with its household, to the
units it belongs to (their heads and duty officers), and to the person responsible for it. A leader thus sees
the items of their town, a cadre of their villages, an officer their households' and their own, a unit head the
unit's."""

from django.db.models import Q, QuerySet
from django.http import Http404

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.scopes import county_units, households_visible_to, unit_subtree
from ledger.models import Ledger, LedgerEvidence, LedgerItem


def ledger_items_visible_to(user: User) -> QuerySet[LedgerItem]:
    if not can.may_read_ledgers(user):
        return LedgerItem.objects.none()
    if can.sees_whole_county(user):
        return LedgerItem.objects.filter(unit__in=county_units(user))
    scope = Q(household__in=households_visible_to(user).values("pk")) | Q(responsible=user)
    if can.works_unit_desk(user) and can.works_unit_items(user):
        scope |= Q(unit__in=unit_subtree(user.unit))
    return LedgerItem.objects.filter(scope)


def get_ledger_item_for_user(user: User, pk: int) -> LedgerItem:
    try:
        return (
            ledger_items_visible_to(user)
            .select_related(
                "ledger",
                "household__village__parent",
                "unit",
                "responsible",
                "delivered_by",
                "closed_by",
                "matter",
                "visit",
                "topic_item__topic_visit",
            )
            .get(pk=pk)
        )
    except LedgerItem.DoesNotExist:
        raise Http404("没有找到该台账事项,或您无权查看。") from None


def get_ledger_for_user(user: User, pk: int) -> Ledger:
    """A ledger is shown with the items of it the user may see; one with none of them is out of scope."""
    seen = ledger_items_visible_to(user).filter(ledger=pk).values("ledger")
    try:
        return Ledger.objects.select_related("household__village__parent", "matter").get(pk=pk, pk__in=seen)
    except Ledger.DoesNotExist:
        raise Http404("没有找到该台账,或您无权查看。") from None


def get_evidence_for_user(user: User, pk: int) -> LedgerEvidence:
    try:
        return LedgerEvidence.objects.get(pk=pk, item__in=ledger_items_visible_to(user).values("pk"))
    except LedgerEvidence.DoesNotExist:
        raise Http404("没有找到该材料,或您无权查看。") from None
