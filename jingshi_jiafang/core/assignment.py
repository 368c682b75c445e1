"""批量分配责任民警: a station head gives the households of their area that have no responsible officer to an
officer of the station, a village at a time. A county moving in arrives with thousands of such households; one at a
time on the household page is not a way to start."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.household_list_cache import household_lists_changed
from jingshi_jiafang.core.models import Area, Household, HouseholdLink, User
from jingshi_jiafang.core.scopes import unit_subtree
from jingshi_jiafang.core.services import LinkError

# What one confirmation may write: a large village's households, not a county's by a forged form.
MAX_BATCH = 5000


def _holding_link(on: date) -> Q:
    # A link still running on `on`, or open and starting later (a hand-over planned ahead): either way the household
    # has its officer, and an open link would collide with the one-open-link-per-household index.
    return Q(end_date__isnull=True) | Q(end_date__gte=on)


def unlinked_households(*, villages: QuerySet[Area], on: date | None = None) -> QuerySet[Household]:
    """Households of `villages` with no responsible officer on the day `on` (today) nor one planned."""
    on = on or timezone.localdate()
    held = HouseholdLink.objects.filter(_holding_link(on), household=OuterRef("pk"))
    return Household.objects.filter(village__in=villages).filter(~Exists(held))


def assignable_villages(*, head: User) -> QuerySet[Area]:
    """The villages of the head's unit area (a station's police rooms' villages too); none for anyone else."""
    if not can.may_reassign_households(head):
        return Area.objects.none()
    return Area.objects.filter(kind=Area.Kind.VILLAGE, unit__in=unit_subtree(head.unit))


def get_assignable_village(user: User, pk: int) -> Area:
    try:
        return assignable_villages(head=user).select_related("parent").get(pk=pk)
    except Area.DoesNotExist:
        raise Http404("没有找到该村/居,或它不在本单位辖区内。") from None


def assignable_officers(*, head: User) -> QuerySet[User]:
    """The officers the head may make responsible: active officers of the head's unit or a unit under it."""
    if not can.may_reassign_households(head):
        return User.objects.none()
    return User.objects.filter(role=User.Role.OFFICER, is_active=True, unit__in=unit_subtree(head.unit))


@dataclass(frozen=True)
class VillageUnlinked:
    village_id: int
    village_name: str
    town_name: str
    unlinked: int


def unlinked_by_village(*, head: User) -> list[VillageUnlinked]:
    """Per village of the head's area, how many households lack a responsible officer: one grouped query, the
    villages with none left out."""
    rows = (
        unlinked_households(villages=assignable_villages(head=head))
        .order_by()
        .values("village", "village__name", "village__parent__name", "village__code")
        .annotate(unlinked=Count("pk"))
        .order_by("village__code")
    )
    return [
        VillageUnlinked(row["village"], row["village__name"], row["village__parent__name"], row["unlinked"])
        for row in rows
    ]


@dataclass(frozen=True)
class BulkAssignment:
    assigned: int
    skipped: int


@transaction.atomic
def households_assign_in_bulk(
    *, village: Area, officer: User, household_ids: list[int], actor: User, request=None
) -> BulkAssignment:
    """Make `officer` responsible, from today, for those of `household_ids` (households of `village`) that still
    have no responsible officer. A household linked meanwhile (by another head, or by the same form sent twice) is
    skipped and counted, never given a second officer. One audit entry says who gave how many to whom."""
    require(actor, can.may_reassign_households, error=LinkError, message="只有单位负责人可以分配责任民警。")
    if not assignable_villages(head=actor).filter(pk=village.pk).exists():
        raise LinkError(f"{village}不在本单位辖区内。")
    if not assignable_officers(head=actor).filter(pk=officer.pk).exists():
        raise LinkError(f"{officer}不是本单位的民警,不能分配。")
    wanted = sorted(set(household_ids))
    if not wanted:
        raise LinkError("请至少选择一户。")
    if len(wanted) > MAX_BATCH:
        raise LinkError(f"一次最多分配 {MAX_BATCH} 户。")
    today = timezone.localdate()
    # Lock the households (in id order, so two heads never deadlock), as the one-at-a-time assignment does: a
    # concurrent assignment of the same village waits here, and its next statement sees the links made meanwhile.
    locked = list(
        Household.objects.select_for_update()
        .filter(village=village, pk__in=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(locked) != len(wanted):
        raise LinkError(f"所选的户中有不属于{village.name}的户,请重新选择。")
    held = set(
        HouseholdLink.objects.filter(_holding_link(today), household__in=locked).values_list("household", flat=True)
    )
    free = [pk for pk in locked if pk not in held]
    HouseholdLink.objects.bulk_create(HouseholdLink(household_id=pk, officer=officer, start_date=today) for pk in free)
    household_lists_changed([officer.pk])  # bulk_create sends no signal
    result = BulkAssignment(assigned=len(free), skipped=len(held))
    audit_record(
        action=Action.SCOPE_CHANGED,
        actor=actor,
        request=request,
        target=village,
        detail={
            "change": "bulk_assign",
            "village": village.full_name,
            "officer": officer.get_username(),
            "assigned": result.assigned,
            "skipped": result.skipped,
        },
    )
    return result
