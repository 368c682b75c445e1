"""What a user may see: the one place that answers it for households, areas and units.

Every view starts from these querysets, and every fetch by id goes through a `get_<thing>_for_user` helper that
raises Http404 for an object out of scope, so another station's data cannot even be confirmed to exist. Each app's
own scopes.py answers for its objects (visits, matters) on top of these.
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, AreaLink, Household, HouseholdAttachment, HouseholdLink, Unit, User


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    """The unit and every unit under it (the tree is three levels deep: bureau → station → police room)."""
    return Unit.objects.filter(Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit))


def _jurisdiction_villages(user: User) -> QuerySet[Area]:
    if user.unit.kind == Unit.Kind.BUREAU:
        return Area.objects.filter(kind=Area.Kind.VILLAGE)
    return Area.objects.filter(kind=Area.Kind.VILLAGE, unit__in=unit_subtree(user.unit))


def _linked_areas(user: User, on: date | None = None) -> QuerySet[AreaLink]:
    return AreaLink.objects.active(on).filter(user=user)


def villages_visible_to(user: User) -> QuerySet[Area]:
    villages = Area.objects.filter(kind=Area.Kind.VILLAGE)
    if not can.may_read_residents_data(user):
        return villages.none()
    if can.sees_whole_county(user):
        return villages
    scope = Q(pk__in=[])
    link_kind = can.area_link_kind(user)
    if link_kind == Area.Kind.TOWN:
        scope |= Q(parent__in=_linked_areas(user).values("area"))
    if link_kind == Area.Kind.VILLAGE:
        scope |= Q(pk__in=_linked_areas(user).values("area"))
    if can.may_be_linked_to_households(user):
        linked = HouseholdLink.objects.active().filter(officer=user).values("household__village")
        scope |= Q(pk__in=linked)
    if can.sees_unit_area(user):
        scope |= Q(pk__in=_jurisdiction_villages(user).values("pk"))
    return villages.filter(scope)


def towns_visible_to(user: User) -> QuerySet[Area]:
    return Area.objects.filter(kind=Area.Kind.TOWN, pk__in=villages_visible_to(user).values("parent"))


def areas_visible_to(user: User) -> QuerySet[Area]:
    villages = villages_visible_to(user)
    return Area.objects.filter(Q(pk__in=villages.values("pk")) | Q(pk__in=villages.values("parent")))


def households_visible_to(user: User) -> QuerySet[Household]:
    households = Household.objects.all()
    if not can.may_read_residents_data(user):
        return households.none()
    if can.sees_whole_county(user):
        return households
    if can.sees_own_households_only(user):
        return households.filter(pk__in=HouseholdLink.objects.active().filter(officer=user).values("household"))
    # A leader, a cadre, a duty officer or a unit head sees households by area.
    return households.filter(village__in=villages_visible_to(user))


def units_visible_to(user: User) -> QuerySet[Unit]:
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if can.may_read_all_units(user):
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


# Visiting (分层昼访: leader → town, cadre → village, officer → household; `can.may_visit`).


def households_linked_to(user: User, on: date | None = None) -> QuerySet[Household]:
    """The visitor's own links (today, or on the day `on`): where a visit needs no reason."""
    if can.may_be_linked_to_households(user):
        links = HouseholdLink.objects.active(on).filter(officer=user)
        return Household.objects.filter(pk__in=links.values("household"))
    link_kind = can.area_link_kind(user)
    if link_kind == Area.Kind.VILLAGE:
        return Household.objects.filter(village__in=_linked_areas(user, on).values("area"))
    if link_kind == Area.Kind.TOWN:
        return Household.objects.filter(village__parent__in=_linked_areas(user, on).values("area"))
    return Household.objects.none()


def reaches_beyond_links(user: User) -> bool:
    """Whether a visitor's reach is wider than their links, so that outside-links visits are open to them."""
    return can.may_visit(user) and can.sees_unit_area(user)


def is_within_links(user: User, household: Household, on: date | None = None) -> bool:
    """Inside the visitor's own links (no reason needed) today, or on the day `on`."""
    return households_linked_to(user, on).filter(pk=household.pk).exists()


def households_visitable_by(user: User) -> QuerySet[Household]:
    """Where a user may log a visit: exactly the households they may see, no more. Inside their links no reason
    is needed; the rest of their reach (a station head's station area) takes a reason (`is_within_links`)."""
    if not can.may_visit(user) or user.unit_id is None:
        return Household.objects.none()
    return households_visible_to(user)


def households_outside_links(user: User) -> QuerySet[Household]:
    """Visitable households outside the visitor's own links: the list of "范围外走访"."""
    return households_visitable_by(user).exclude(pk__in=households_linked_to(user).values("pk"))
