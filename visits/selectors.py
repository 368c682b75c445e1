"""Reads that several views, jobs or exports share."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.filters import households_due_visit_filter
from jingshi_jiafang.core.models import Area, Household, Organisation, OrganisationLink, Unit, User
from jingshi_jiafang.core.scopes import organisations_visible_to
from jingshi_jiafang.core.selectors import due_first, household_list
from jingshi_jiafang.core.timeline import TimelineEvent
from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit
from visits.scopes import corrections_visible_to, visits_visible_to


def households_due_visit(*, user: User, cutoff: datetime) -> QuerySet[Household]:
    """The user's households not visited since `cutoff`, never visited first, then the longest waiting."""
    return due_first(household_list(user=user).filter(households_due_visit_filter(cutoff)), user=user)


def visit_of_submission(*, visitor: User, submission_key) -> Visit | None:
    """The visit this visitor already recorded from the form with this key, if any (a form sent twice)."""
    return Visit.objects.filter(visitor=visitor, submission_key=submission_key).first()


def timeline_events(*, household: Household) -> list[TimelineEvent]:
    """The household's visits for its timeline; matters heard on a visit are shown with that visit."""
    return [_visit_event(visit) for visit in _household_visits(household)]


def _household_visits(household: Household) -> QuerySet[Visit]:
    return household.visits.select_related("visitor").prefetch_related("corrections", "findings", "matters")


def _visit_event(visit: Visit) -> TimelineEvent:
    lines = [f"见到 {visit.people_met}"]
    lines += [f"{f.get_kind_display()}:{f.description}" for f in visit.findings.all()]
    lines += [f"诉求:{m.content}({m.get_state_display()})" for m in visit.matters.all()]
    title = f"{visit.get_kind_display()} · {visit.visitor}" + (" · 联系范围外" if visit.is_outside_links else "")
    title += " · 补录" if visit.is_late_entry else ""
    return TimelineEvent(
        visit.visited_at, "visit", title, tuple(lines), visit.get_absolute_url(), tuple(visit.corrections.all())
    )


# Items that record an event (a person added or removed, a note), not a value that a later visit could correct.
EVENT_ITEMS = frozenset({"member_added", "member_removed", "other"})


def registration_values(*, household: Household) -> dict[str, str]:
    """The household's current value of each registration item: the facts kept on the household itself; for the
    items kept only as corrections, the newest corrected value; the head's birth date, until corrected, as the
    ID number gives it. One query whatever the number of corrections."""
    values: dict[str, str] = {}
    for field, new_value in household.corrections.order_by("-id").values_list("field", "new_value"):
        if field not in EVENT_ITEMS:
            values.setdefault(field, new_value)
    id_number = household.head_id_number or ""
    if "birth_date" not in values and len(id_number) == 18:
        values["birth_date"] = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    values.update(
        head_name=household.head_name,
        address=household.address,
        phone=household.phone,
        members_count=str(household.members_count),
        head_id_number=id_number,
    )
    return values


def visit_outcomes(*, visit: Visit, user: User) -> dict:
    """What a visit created: its corrections, findings, the matters registered from its requests and the echo
    cards handed out on it (matters and cards belong to feedback and are read through the reverse relations).
    Registration corrections are the household's data: shown only while the household is in the reader's reach,
    even on the reader's own visit; `hidden_corrections` counts those the visit made but the reader may not see,
    so that the page says so instead of "no corrections"."""
    corrections = list(corrections_visible_to(user).filter(visit=visit))
    return {
        "corrections": corrections,
        "hidden_corrections": 0 if corrections else visit.corrections.count(),
        "findings": list(visit.findings.all()),
        "matters": list(visit.matters.order_by("pk")),
        "cards": list(visit.echo_cards.order_by("number")),
    }


@dataclass(frozen=True)
class AreaVisitsFilter:
    """The visits of an area behind a dashboard figure: its villages (already scoped), the days, and optionally
    only those that found something of one kind or corrected registration data."""

    villages: QuerySet[Area]
    start: date | None = None
    end: date | None = None
    visited: str = ""  # "household" or "organisation": only the visits to those
    finding: str = ""
    corrections: bool = False


def households_among(visits: QuerySet[Visit]) -> int:
    """How many households these visits went to, each once: what the dashboard's 走访户数 counts."""
    return visits.filter(household__isnull=False).values("household").distinct().count()


def corrections_among(visits: QuerySet[Visit]) -> int:
    """How many corrections these visits made: what the dashboard's 整改户籍数据 counts (items, not visits)."""
    return RegistrationCorrection.objects.filter(visit__in=visits.order_by().values("pk")).count()


def diary_entries(*, user: User, month: date | None = None, area: AreaVisitsFilter | None = None) -> QuerySet[Visit]:
    """The user's own visits, newest first, with what each found fetched in a fixed number of queries; or, with
    `area`, every visit the user may see in those villages (a dashboard's drill-down to the records).
    `correction_count` counts every correction the visit made, `corrections` only those still in reach."""
    if area is None:
        visits = Visit.objects.filter(visitor=user)
    else:
        visits = visits_visible_to(user).filter(village__in=area.villages)
        if area.start:
            visits = visits.filter(visited_at__date__gte=area.start)
        if area.end:
            visits = visits.filter(visited_at__date__lte=area.end)
        if area.visited:
            visits = visits.filter(**{f"{area.visited}__isnull": False})
        if area.finding:
            visits = visits.filter(pk__in=Finding.objects.filter(kind=area.finding).values("visit"))
        if area.corrections:
            visits = visits.filter(pk__in=RegistrationCorrection.objects.values("visit"))
    if month is not None:
        visits = visits.filter(visited_at__year=month.year, visited_at__month=month.month)
    # A visitor whose link has ended keeps their diary, but not the household's registration data.
    corrections = Prefetch("corrections", queryset=corrections_visible_to(user))
    # Counted per visit shown, on the corrections' visit index: a join grouped by visit counted the corrections of
    # all the user's visits (and the planner read the whole corrections table for it) to show a page of 25.
    made = RegistrationCorrection.objects.filter(visit=OuterRef("pk")).order_by().values("visit")
    return (
        visits.select_related("household", "organisation", "village__parent")
        .annotate(correction_count=Coalesce(Subquery(made.annotate(n=Count("*")).values("n")), 0))
        .prefetch_related(corrections, "findings", "matters")
        .order_by("-visited_at", "-id")
    )


def _with_kept(plans: QuerySet[NightVisitPlan]) -> QuerySet[NightVisitPlan]:
    """The plans with whether each was kept: a night visit by that officer in that village on that evening,
    entered within the late-entry grace (a visit typed in days later keeps nothing)."""
    kept = Visit.objects.filter(
        kind=Visit.Kind.NIGHT,
        visitor=OuterRef("officer"),
        village=OuterRef("village"),
        visited_at__date=OuterRef("date"),
        created_at__lte=F("visited_at") + timedelta(hours=settings.VISIT_LATE_ENTRY_HOURS),
    )
    return (
        plans.select_related("officer__unit", "village__parent", "unit")
        .annotate(kept=Exists(kept))
        .order_by("date", "officer__name", "pk")
    )


def night_plans_of_week(*, units: QuerySet[Unit], week: date) -> QuerySet[NightVisitPlan]:
    """The week's night-visit plans of these units, each with whether it was kept."""
    return _with_kept(NightVisitPlan.objects.filter(unit__in=units, date__range=(week, week + timedelta(days=6))))


def night_plans_of_area(*, villages: QuerySet[Area], start: date, end: date) -> QuerySet[NightVisitPlan]:
    """The plans for these villages' evenings from `start` to `end`, whichever unit made them, each with whether
    it was kept: the plans the dashboard counts for an area and period."""
    return _with_kept(NightVisitPlan.objects.filter(village__in=villages, date__range=(start, end)))


@dataclass(frozen=True)
class NightCompliance:
    planned: int
    kept: int
    missed: int
    upcoming: int


def night_compliance(plans: QuerySet[NightVisitPlan]) -> NightCompliance:
    """Of the plans (with `kept`), how many were kept, missed (an evening past and not kept) and are to come: one
    query, however many months of plans."""
    counts = plans.aggregate(
        planned_count=Count("pk"),
        kept_count=Count("pk", filter=Q(kept=True)),
        missed_count=Count("pk", filter=Q(kept=False, date__lt=timezone.localdate())),
    )
    planned, kept, missed = counts["planned_count"], counts["kept_count"], counts["missed_count"]
    return NightCompliance(planned=planned, kept=kept, missed=missed, upcoming=planned - kept - missed)


def night_plans_on(*, units: QuerySet[Unit], day: date) -> QuerySet[NightVisitPlan]:
    """One evening's plans of these units, each with whether it was kept."""
    return night_plans_of_week(units=units, week=day - timedelta(days=day.weekday())).filter(date=day)


def night_plan_of(*, user: User, day: date) -> NightVisitPlan | None:
    """The officer's plan for that evening, with whether it was kept."""
    return _with_kept(NightVisitPlan.objects.filter(officer=user, date=day)).first()


# Organisations (单位) and their visits.


def organisation_list(*, user: User) -> QuerySet[Organisation]:
    """The organisations the user reaches, each with its responsible officer and last visit, in one query; those
    never visited first, then the longest waiting, as an officer works down the list."""
    links = OrganisationLink.objects.active().filter(organisation=OuterRef("pk")).order_by("-start_date", "-pk")
    last_visit = Visit.objects.filter(organisation=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
    return (
        organisations_visible_to(user)
        .select_related("village__parent")
        .annotate(officer_name=Subquery(links.values("officer__name")[:1]), last_visited_at=Subquery(last_visit))
        .order_by(F("last_visited_at").asc(nulls_first=True), "village__code", "name", "pk")
    )


def organisation_timeline(*, organisation: Organisation) -> list[TimelineEvent]:
    """An organisation's visits, newest first, as the household timeline shows them."""
    visits = organisation.visits.select_related("visitor").prefetch_related("corrections", "findings", "matters")
    return [_visit_event(visit) for visit in visits.order_by("-visited_at", "-pk")]


def organisation_link_history(*, organisation: Organisation) -> QuerySet[OrganisationLink]:
    return organisation.links.select_related("officer__unit").order_by("-start_date", "-pk")


@dataclass(frozen=True)
class OrganisationCoverage:
    organisations: int
    visited: int

    @property
    def share(self) -> float:
        return self.visited / self.organisations if self.organisations else 0.0


def organisation_coverage(*, villages: QuerySet[Area], start: date, end: date) -> OrganisationCoverage:
    """Organisations of these villages, and how many were visited from `start` to `end` (days included): kept
    apart from the households' coverage, which is what the bureau's figures are about."""
    in_period = Q(visits__visited_at__gte=midnight(start), visits__visited_at__lt=midnight(end + timedelta(days=1)))
    counts = Organisation.objects.filter(village__in=villages).aggregate(
        total=Count("pk", distinct=True), visited=Count("pk", distinct=True, filter=in_period)
    )
    return OrganisationCoverage(organisations=counts["total"], visited=counts["visited"])
