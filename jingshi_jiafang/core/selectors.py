"""Reads of the platform's data that several pages share."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, AreaLink, Household, HouseholdAttachment, HouseholdLink, User
from jingshi_jiafang.core.scopes import (
    households_visible_to,
    towns_visible_to,
    villages_visible_to,
)


def current_officer_name() -> Subquery:
    """The name of the household's responsible officer today, for an annotation. On a hand-over day both links
    are active (the old one ends on the day the new one starts): the new officer is the responsible one."""
    links = HouseholdLink.objects.active().filter(household=OuterRef("pk")).order_by("-start_date", "-pk")
    return Subquery(links.values("officer__name")[:1])


def household_list(*, user: User) -> QuerySet[Household]:
    """The scoped household list with what a row shows fetched in the same query. An officer's own list is
    ordered by who is due (`due_first`); anyone else looks a household up by place and name."""
    # The ID number is not shown on a list row: left unread, so 25 rows are not decrypted on every page.
    households = (
        households_visible_to(user, read_first=True)
        .select_related("village__parent")
        .defer("head_id_number")
        .annotate(officer_name=current_officer_name())
    )
    if can.may_be_linked_to_households(user):
        return due_first(households, user=user)
    return households.order_by("village__code", "head_name", "pk")


# Earlier than any visit: the never visited sort first.
NEVER_VISITED = datetime(1900, 1, 1, tzinfo=UTC)


def due_first(households: QuerySet[Household], *, user: User) -> QuerySet[Household]:
    """Never visited first, then the longest since the last visit.

    An officer's households are ordered by an expression no index serves, so the database reads them from his
    links (a few thousand at most) and sorts them. In the order of household_due_idx it walked the county's due
    households to find his, and an officer who had visited all of his waited seconds for the walk to end."""
    if can.may_be_linked_to_households(user):
        return households.order_by(Coalesce("last_visited_at", Value(NEVER_VISITED)).asc(), "pk")
    return households.order_by(F("last_visited_at").asc(nulls_first=True), "pk")


def with_links_and_attachments(household: Household) -> Household:
    """The household with its officer links (newest first) and attachments read once: its page shows them in
    their own cards and again as events of its timeline."""
    links = HouseholdLink.objects.select_related("officer__unit").order_by("-start_date", "-pk")
    attachments = HouseholdAttachment.objects.select_related("uploaded_by")
    prefetch_related_objects([household], Prefetch("links", queryset=links), Prefetch("attachments", attachments))
    return household


def area_links_of(*, user: User) -> QuerySet[AreaLink]:
    return AreaLink.objects.active().filter(user=user).select_related("area__parent").order_by("area__code")


def villages_with_household_counts(*, user: User, town: Area | None = None) -> QuerySet[Area]:
    villages = villages_visible_to(user)
    if town is not None:
        villages = villages.filter(parent=town)
    villages = villages.select_related("parent", "unit").order_by("code")
    if can.sees_whole_county(user):
        # Counted for the villages of the page only, each on the household table's village index: a join of the
        # county's households grouped by village would cost the whole county on every page. COUNT(*), not of the
        # id: the index alone answers it (an index-only scan), without reading a village's 2,000 rows.
        per_village = (
            Household.objects.filter(village=OuterRef("pk")).order_by().values("village").annotate(n=Count("*"))
        )
        return villages.annotate(household_count=Coalesce(Subquery(per_village.values("n")), 0))
    visible = households_visible_to(user).values("pk")
    return villages.annotate(household_count=Count("households", filter=Q(households__in=visible)))


@dataclass(frozen=True)
class ScopeSummary:
    towns: int
    villages: int
    households: int
    hardship_households: int


def scope_summary(*, user: User) -> ScopeSummary:
    """The figures of the user's towns and villages (a home's 概况): the households of those villages, not also
    a leader's or cadre's paired household in another town, which they may open but which is not their area's."""
    villages = villages_visible_to(user)
    # Two counts, each answered from an index alone (the hardship households' is partial): one count of both
    # read every household row of the user's villages, 1.8 s for a leader of the county's towns.
    households = Household.objects.filter(village__in=villages)
    return ScopeSummary(
        towns=towns_visible_to(user).count(),
        villages=villages.count(),
        households=households.count(),
        hardship_households=households.filter(is_hardship=True).count(),
    )


def visible_area_choices(*, user: User) -> QuerySet[Area]:
    """The towns and villages a user may filter by. The user's villages are worked out once (for an officer,
    through 2,000 household links) and their towns taken from them: as one query of `areas_visible_to`, the
    database worked the villages out twice, once for themselves and once for their towns."""
    villages = list(villages_visible_to(user).values_list("pk", "parent_id"))
    areas = {pk for pk, _ in villages} | {town for _, town in villages}
    return Area.objects.filter(pk__in=areas).select_related("parent").order_by("code")


def _first_area_of_each_unit() -> QuerySet[Area]:
    """Each unit's first area by code: a station's town, or the first of a police room's villages."""
    first = Area.objects.filter(unit=OuterRef("unit")).order_by("code").values("pk")[:1]
    return Area.objects.filter(unit__isnull=False, pk=Subquery(first))


def town_of_unit(*, names: bool = False) -> dict[int, int | str]:
    """Unit id → town id (or name): where a record with no household is placed (a resident who walked into a
    talk room, the callbacks and ledger items of their matter) — the town of the unit's first area, so a police
    room serving villages of two towns is in one of them. The monthly report and the dashboard place them alike.
    One query."""
    rows = _first_area_of_each_unit().values_list("unit_id", "pk", "name", "parent", "parent__name")
    return {unit: (parent_name or name) if names else (parent or pk) for unit, pk, name, parent, parent_name in rows}


def units_placed_in(towns) -> QuerySet[Area]:
    """The units (as a subquery of `unit` values) whose records with no household `towns` hold, by the rule of
    `town_of_unit`."""
    return _first_area_of_each_unit().filter(Q(pk__in=towns) | Q(parent__in=towns)).values("unit")
