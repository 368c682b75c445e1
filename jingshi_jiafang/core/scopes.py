"""What a user may see: the one place that answers it for households, areas and units.

Every view starts from these querysets, and every fetch by id goes through a `get_<thing>_for_user` helper that
raises Http404 for an object out of scope, so another station's data cannot even be confirmed to exist. Each app's
own scopes.py answers for its objects (visits, matters) on top of these.
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from jingshi_jiafang.core.models import (
    Area,
    AreaLink,
    Household,
    HouseholdAttachment,
    HouseholdLink,
    PairingLink,
    Unit,
    User,
)

Role = User.Role

# Roles whose work covers the whole county (法制部门 classifies everything, 民意访评中心 calls everyone back).
COUNTY_WIDE_ROLES = frozenset({Role.LEGAL, Role.EVALUATOR})


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    """The unit and every unit under it (the tree is three levels deep: bureau → station → police room)."""
    return Unit.objects.filter(Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit))


# Whose reach includes their unit's area. A leader or cadre belongs to the bureau but heads none of the county's
# areas: they reach what they are linked to, whatever their unit or unit-head flag.
JURISDICTION_ROLES = frozenset({Role.OFFICER, Role.DUTY_OFFICER})


def _sees_unit_jurisdiction(user: User) -> bool:
    if user.unit_id is None or user.role not in JURISDICTION_ROLES:
        return False
    return user.is_unit_head or user.role == Role.DUTY_OFFICER


def _jurisdiction_villages(user: User) -> QuerySet[Area]:
    if user.unit.kind == Unit.Kind.BUREAU:
        return Area.objects.filter(kind=Area.Kind.VILLAGE)
    return Area.objects.filter(kind=Area.Kind.VILLAGE, unit__in=unit_subtree(user.unit))


def _linked_areas(user: User, on: date | None = None) -> QuerySet[AreaLink]:
    return AreaLink.objects.active(on).filter(user=user)


# 结对联建: leaders and cadres are each paired with one household in hardship, which joins their reach (that
# household alone, not its village).
PAIRING_ROLES = frozenset({Role.LEADER, Role.CADRE})


def paired_households(user: User, on: date | None = None) -> QuerySet[Household]:
    """The household a leader or cadre is paired with (today, or on the day `on`); empty for anybody else."""
    if user.role not in PAIRING_ROLES:
        return Household.objects.none()
    return Household.objects.filter(pk__in=PairingLink.objects.active(on).filter(user=user).values("household"))


def is_paired_with(user: User, household: Household, on: date | None = None) -> bool:
    return paired_households(user, on).filter(pk=household.pk).exists()


def villages_visible_to(user: User) -> QuerySet[Area]:
    villages = Area.objects.filter(kind=Area.Kind.VILLAGE)
    if not user.is_authenticated or not user.is_active:
        return villages.none()
    if user.role in COUNTY_WIDE_ROLES:
        return villages
    scope = Q(pk__in=[])
    if user.role == Role.LEADER:
        scope |= Q(parent__in=_linked_areas(user).values("area"))
    if user.role == Role.CADRE:
        scope |= Q(pk__in=_linked_areas(user).values("area"))
    if user.role == Role.OFFICER:
        linked = HouseholdLink.objects.active().filter(officer=user).values("household__village")
        scope |= Q(pk__in=linked)
    if _sees_unit_jurisdiction(user):
        scope |= Q(pk__in=_jurisdiction_villages(user).values("pk"))
    return villages.filter(scope)


def towns_visible_to(user: User) -> QuerySet[Area]:
    return Area.objects.filter(kind=Area.Kind.TOWN, pk__in=villages_visible_to(user).values("parent"))


def areas_visible_to(user: User) -> QuerySet[Area]:
    villages = villages_visible_to(user)
    return Area.objects.filter(Q(pk__in=villages.values("pk")) | Q(pk__in=villages.values("parent")))


def households_visible_to(user: User) -> QuerySet[Household]:
    households = Household.objects.all()
    if not user.is_authenticated or not user.is_active:
        return households.none()
    if user.role in COUNTY_WIDE_ROLES:
        return households
    if user.role == Role.OFFICER and not _sees_unit_jurisdiction(user):
        return households.filter(pk__in=HouseholdLink.objects.active().filter(officer=user).values("household"))
    # A leader, a cadre, a duty officer or a unit head sees households by area; a leader or cadre also sees the
    # household they are paired with.
    by_area = Q(village__in=villages_visible_to(user))
    if user.role in PAIRING_ROLES:
        by_area |= Q(pk__in=paired_households(user).values("pk"))
    return households.filter(by_area)


def units_visible_to(user: User) -> QuerySet[Unit]:
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.role in COUNTY_WIDE_ROLES | {Role.ADMIN, Role.SECURITY_ADMIN, Role.LEADER}:
        return Unit.objects.all()
    if user.unit_id is None:
        return Unit.objects.none()
    return unit_subtree(user.unit)


def get_household_for_user(user: User, pk: int) -> Household:
    try:
        return households_visible_to(user).select_related("village__parent").get(pk=pk)
    except Household.DoesNotExist:
        raise Http404("没有找到该户,或您无权查看。") from None


def get_area_for_user(user: User, pk: int) -> Area:
    try:
        return areas_visible_to(user).select_related("parent", "unit").get(pk=pk)
    except Area.DoesNotExist:
        raise Http404("没有找到该区域,或您无权查看。") from None


def get_attachment_for_user(user: User, pk: int) -> HouseholdAttachment:
    try:
        return HouseholdAttachment.objects.select_related("household").get(
            pk=pk, household__in=households_visible_to(user)
        )
    except HouseholdAttachment.DoesNotExist:
        raise Http404("没有找到该附件,或您无权查看。") from None


# Visiting. Only these roles log visits (分层昼访: leader → town, cadre → village, officer → household).
VISITOR_ROLES = frozenset({Role.LEADER, Role.CADRE, Role.OFFICER})


def households_linked_to(user: User, on: date | None = None) -> QuerySet[Household]:
    """The visitor's own links (today, or on the day `on`): where a visit needs no reason."""
    if user.role == Role.OFFICER:
        links = HouseholdLink.objects.active(on).filter(officer=user)
        return Household.objects.filter(pk__in=links.values("household"))
    paired = Q(pk__in=paired_households(user, on).values("pk"))
    if user.role == Role.CADRE:
        return Household.objects.filter(Q(village__in=_linked_areas(user, on).values("area")) | paired)
    if user.role == Role.LEADER:
        return Household.objects.filter(Q(village__parent__in=_linked_areas(user, on).values("area")) | paired)
    return Household.objects.none()


def reaches_beyond_links(user: User) -> bool:
    """Whether a visitor's reach is wider than their links, so that outside-links visits are open to them."""
    return user.role in VISITOR_ROLES and _sees_unit_jurisdiction(user)


def is_within_links(user: User, household: Household, on: date | None = None) -> bool:
    """Inside the visitor's own links (no reason needed) today, or on the day `on`."""
    return households_linked_to(user, on).filter(pk=household.pk).exists()


def households_visitable_by(user: User) -> QuerySet[Household]:
    """Where a user may log a visit: exactly the households they may see, no more. Inside their links no reason
    is needed; the rest of their reach (a station head's station area) takes a reason (`is_within_links`)."""
    if user.role not in VISITOR_ROLES or user.unit_id is None:
        return Household.objects.none()
    return households_visible_to(user)


def households_outside_links(user: User) -> QuerySet[Household]:
    """Visitable households outside the visitor's own links: the list of "范围外走访"."""
    return households_visitable_by(user).exclude(pk__in=households_linked_to(user).values("pk"))
