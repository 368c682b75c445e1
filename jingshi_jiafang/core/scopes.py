"""What a user may see: the one place that answers it for households, areas and units.

Every view starts from these querysets, and every fetch by id goes through a `get_<thing>_for_user` helper that
raises Http404 for an object out of scope, so another station's data cannot even be confirmed to exist. Each app's
own scopes.py answers for its objects (visits, matters) on top of these.
"""

from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import (
    Area,
    AreaLink,
    Household,
    HouseholdAttachment,
    HouseholdLink,
    Organisation,
    OrganisationLink,
    PairingLink,
    Unit,
    User,
)


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    """The unit and every unit under it (the tree is three levels deep: bureau → station → police room)."""
    return Unit.objects.filter(Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit))


def unit_subtree_ids(user: User) -> frozenset[int]:
    """The ids of `unit_subtree(user.unit)`, read once per user object: a list asks of each row whether its unit
    is under the user's (a station head's callbacks and matters of his police rooms), one query per row before."""
    read = getattr(user, "_unit_subtree_ids", None)
    if read is None or read[0] != user.unit_id:
        read = (user.unit_id, frozenset(unit_subtree(user.unit).values_list("pk", flat=True)))
        user._unit_subtree_ids = read
    return read[1]


# A county is a bureau and the units under it. A database may hold more than one (a province's counties side by
# side): "the whole county" of a county-wide role is then their own bureau's, never every row of the table.


def county_units(user: User) -> QuerySet[Unit]:
    """The units of the user's county: the bureau at the root of their unit's tree and every unit under it. A
    user without a unit belongs to no county. Lazy: a subquery in the query that uses it, no query of its own."""
    if user.unit_id is None:
        return Unit.objects.none()
    bureau = Unit.objects.filter(pk=user.unit_id).values(root=Coalesce(F("parent__parent"), F("parent"), F("pk")))
    return Unit.objects.filter(Q(pk__in=bureau) | Q(parent__in=bureau) | Q(parent__parent__in=bureau))


def county_villages(user: User) -> QuerySet[Area]:
    return Area.objects.filter(kind=Area.Kind.VILLAGE, unit__in=county_units(user))


def _jurisdiction_villages(user: User) -> QuerySet[Area]:
    return Area.objects.filter(kind=Area.Kind.VILLAGE, unit__in=unit_subtree(user.unit))


def _linked_areas(user: User, on: date | None = None) -> QuerySet[AreaLink]:
    return AreaLink.objects.active(on).filter(user=user)


# 结对联建: leaders and cadres are each paired with one household in hardship, which joins their reach (that
# household alone, not its village).


def paired_households(user: User, on: date | None = None) -> QuerySet[Household]:
    """The household a leader or cadre is paired with (today, or on the day `on`); empty for anybody else."""
    if not can.may_be_paired(user):
        return Household.objects.none()
    return Household.objects.filter(pk__in=PairingLink.objects.active(on).filter(user=user).values("household"))


def is_paired_with(user: User, household: Household, on: date | None = None) -> bool:
    return paired_households(user, on).filter(pk=household.pk).exists()


def villages_visible_to(user: User) -> QuerySet[Area]:
    villages = Area.objects.filter(kind=Area.Kind.VILLAGE)
    if not can.may_read_residents_data(user):
        return villages.none()
    if can.sees_whole_county(user):
        return county_villages(user)
    scope = Q(pk__in=[])
    link_kind = can.area_link_kind(user)
    if link_kind == Area.Kind.TOWN:
        scope |= Q(parent__in=_linked_areas(user).values("area"))
    if link_kind == Area.Kind.VILLAGE:
        scope |= Q(pk__in=_linked_areas(user).values("area"))
    if can.may_be_linked_to_households(user):
        # DISTINCT keeps the subquery one step the database runs once: a plain `IN` is turned into a semi-join
        # that reads each village's households in turn, a cost that grows with the number of villages.
        linked = HouseholdLink.objects.active().filter(officer=user).values("household__village").distinct()
        scope |= Q(pk__in=linked)
    if can.sees_unit_area(user):
        scope |= Q(pk__in=_jurisdiction_villages(user).values("pk"))
    return villages.filter(scope)


def villages_within(user: User, area: Area) -> QuerySet[Area]:
    """The villages of `area` that the user sees: the village itself, or a town's."""
    villages = villages_visible_to(user)
    return villages.filter(pk=area.pk) if area.kind == Area.Kind.VILLAGE else villages.filter(parent=area)


def towns_visible_to(user: User) -> QuerySet[Area]:
    return Area.objects.filter(kind=Area.Kind.TOWN, pk__in=villages_visible_to(user).values("parent"))


def areas_visible_to(user: User) -> QuerySet[Area]:
    villages = villages_visible_to(user)
    return Area.objects.filter(Q(pk__in=villages.values("pk")) | Q(pk__in=villages.values("parent")))


def households_visible_to(user: User, *, read_first: bool = False) -> QuerySet[Household]:
    """`read_first`: for a page that lists the households themselves (see `_among`)."""
    households = Household.objects.all()
    if not can.may_read_residents_data(user):
        return households.none()
    if can.sees_whole_county(user):
        return households.filter(village__in=county_villages(user))
    if can.may_be_linked_to_households(user):
        # An officer's links, plus a unit head's unit area; a link outside that area opens that one household,
        # not the rest of its village.
        return households_linked_to(user, read_first=read_first)
    # A leader, a cadre or a duty officer sees households by area; a leader or cadre also sees the household
    # they are paired with.
    villages = villages_visible_to(user).values_list("pk", flat=True)
    if not can.may_be_paired(user):
        return households.filter(village__in=villages)
    paired = paired_households(user).values_list("pk", flat=True)
    either = _among("village", villages, user, read_first) | _among("pk", paired, user, read_first)
    return households.filter(either)


def _among(field: str, values: QuerySet, user: User, read_first: bool) -> Q:
    """`field` among `values` (a one-column queryset). Two such conditions ORed as subqueries leave the database
    no index for either, and it reads every household of the county: a station head's or a cadre's household list
    took 0.1–0.5 s at county scale, his home 4-7 s. A page reads each set into a list first (`read_first`), and
    the database then takes each from its index."""
    return Q(**{f"{field}__in": _read_once(user, values) if read_first else values})


def _read_once(user: User, values: QuerySet) -> list:
    """The values, read once per user object: a request's user, whose page asks for the same sets several times
    (the home's queues). A user's links do not change in the middle of a request that reads them."""
    try:
        key = values.query.sql_with_params()
    except EmptyResultSet:
        return []
    reads = getattr(user, "_scope_reads", None)
    if reads is None:
        reads = {}
        user._scope_reads = reads
    if key not in reads:
        reads[key] = list(values)
    return reads[key]


def units_visible_to(user: User) -> QuerySet[Unit]:
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if can.may_read_all_units(user):
        return county_units(user)
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


def households_linked_to(user: User, on: date | None = None, *, read_first: bool = False) -> QuerySet[Household]:
    """The visitor's own links (today, or on the day `on`): where a visit needs no reason. A unit head's own unit
    area counts as linked: heading the unit is the link (the area is not dated; his household links are). A
    leader's or cadre's paired household is linked too. `read_first`: see `_among`."""
    if can.may_be_linked_to_households(user):
        links = HouseholdLink.objects.active(on).filter(officer=user).values_list("household", flat=True)
        if not can.sees_unit_area(user):
            return Household.objects.filter(pk__in=links)
        villages = _jurisdiction_villages(user).values_list("pk", flat=True)
        return Household.objects.filter(
            _among("pk", links, user, read_first) | _among("village", villages, user, read_first)
        )
    link_kind = can.area_link_kind(user)
    if link_kind == Area.Kind.VILLAGE:
        villages = _linked_areas(user, on).values_list("area", flat=True)
    elif link_kind == Area.Kind.TOWN:
        towns = _linked_areas(user, on).values("area")
        villages = Area.objects.filter(parent__in=towns).values_list("pk", flat=True)
    else:
        return Household.objects.none()
    paired = paired_households(user, on).values_list("pk", flat=True)
    either = _among("village", villages, user, read_first) | _among("pk", paired, user, read_first)
    return Household.objects.filter(either)


def is_within_links(user: User, household: Household, on: date | None = None) -> bool:
    """Inside the visitor's own links (no reason needed) today, or on the day `on`. For a visit from the visit
    form this always holds today, since a visitor reaches exactly their links (a unit head: with the unit's
    area); a leader's topic visit (专题家访) to a matter's home can fall outside them, and then takes a reason."""
    return households_linked_to(user, on).filter(pk=household.pk).exists()


def households_visitable_by(user: User) -> QuerySet[Household]:
    """Where a user may log a visit: exactly the households they may see, no more (issue #9)."""
    if not can.may_visit(user) or user.unit_id is None:
        return Household.objects.none()
    return households_visible_to(user)


# Organisations (单位): a school, a factory, a clinic. An officer reaches the organisations linked to them, a unit head
# or duty officer their unit area's, a leader or cadre those of the villages they see, the county-wide departments
# all; the administrators none. Visiting one follows the same reach.


def organisations_linked_to(user: User, on: date | None = None) -> QuerySet[Organisation]:
    """An officer's own organisation links (today, or on the day `on`), with a unit head's unit area."""
    if not can.may_be_linked_to_households(user):
        return Organisation.objects.none()
    linked = Q(pk__in=OrganisationLink.objects.active(on).filter(officer=user).values("organisation"))
    if can.sees_unit_area(user):
        linked |= Q(village__in=_jurisdiction_villages(user).values("pk"))
    return Organisation.objects.filter(linked)


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if not can.may_read_residents_data(user):
        return organisations.none()
    if can.sees_whole_county(user):
        return organisations.filter(village__in=county_villages(user))
    if can.may_be_linked_to_households(user):
        return organisations_linked_to(user)
    return organisations.filter(village__in=villages_visible_to(user))


def organisations_visitable_by(user: User) -> QuerySet[Organisation]:
    """Where a user may log a visit to an organisation: the organisations they may see, no more."""
    if not can.may_visit(user) or user.unit_id is None:
        return Organisation.objects.none()
    return organisations_visible_to(user)


def get_organisation_for_user(user: User, pk: int) -> Organisation:
    try:
        return organisations_visible_to(user).select_related("village__parent").get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404("没有找到该单位,或您无权查看。") from None
