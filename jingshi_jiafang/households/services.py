"""Writes that span apps and so live at the top: a household's new officer takes its open ledger items with it."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.models import Household, HouseholdLink, User
from ledger import services as ledger_services


@transaction.atomic
def household_reassign(
    *, household: Household, officer: User, actor: User, start_date: date | None = None, request=None
) -> int:
    """Make `officer` responsible for the household and hand him its open ledger items, in one transaction, so
    none is left with an officer who no longer has the household. Returns how many items were handed over: none
    for a hand-over planned ahead, whose items pass on its first day (`ledger_items_follow_hand_overs`, a job)."""
    # Lock before reading the current officer, so a concurrent re-assignment cannot slip in between.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    current = HouseholdLink.objects.filter(household=household, end_date__isnull=True).select_related("officer").first()
    core_services.household_assign_officer(
        household=household, officer=officer, actor=actor, start_date=start_date, request=request
    )
    if current is None or (start_date or timezone.localdate()) > timezone.localdate():
        return 0
    return ledger_services.ledger_items_hand_over(household=household, old=current.officer, new=officer, actor=actor)
