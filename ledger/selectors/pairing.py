"""Reads of 结对联建: who sees which pairs, and whether each pair kept its duty (a contact every week, a visit
every month, practical deeds every year; the numbers are settings).

Compliance is judged per period of the duty, each duty only in its own kind of period (a week judges contacts, a
month visits, a year deeds), so a period that is over is met or missed and only the current one can be open; a
period that has not begun is not judged at all (未开始). Counts come from the database grouped
by pair and day (two queries however many pairs), then fall into their weeks and months here.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import PairingLink, User
from ledger.models import LedgerItem, PairingContact
from visits.models import Visit


def pairings_visible_to(user: User) -> QuerySet[PairingLink]:
    links = PairingLink.objects.all()
    if not user.is_authenticated or not user.is_active:
        return links.none()
    if can.sees_all_pairs(user):
        return links
    if can.may_be_paired(user):
        return links.filter(user=user)
    return links.none()


def active_pairing_of(user: User) -> PairingLink | None:
    """The leader's or cadre's current pair (one at a time), or None."""
    if not can.may_be_paired(user):
        return None
    return PairingLink.objects.active().filter(user=user).select_related("household__village__parent").first()


def pairing_deeds_count(*, pairings: list[PairingLink], start: date, end: date) -> dict[int, int]:
    """Practical deeds (实事) per pair delivered between `start` and `end`: ledger items of the pair (opened by the
    leader or cadre for their paired household) that reached 兑现 in the period, closed or not."""
    delivered = LedgerItem.objects.filter(
        pairing__in=pairings, delivered_at__date__gte=start, delivered_at__date__lte=end
    )
    return dict(delivered.values("pairing").annotate(n=Count("pk")).values_list("pairing", "n"))


def duty_rule() -> str:
    return (
        f"每周联系 {settings.PAIRING_CONTACTS_PER_WEEK} 次、每月走访 {settings.PAIRING_VISITS_PER_MONTH} 次、"
        f"每年实事 {settings.PAIRING_DEEDS_PER_YEAR} 件"
    )


# Periods.


@dataclass(frozen=True)
class Period:
    kind: str  # week, month or year
    start: date
    end: date  # the last day, included

    @property
    def label(self) -> str:
        if self.kind == "week":
            return f"{self.start:%Y-%m-%d} 至 {self.end:%m-%d} 这一周"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年"

    def shifted(self, steps: int) -> "Period":
        if self.kind == "week":
            return period_of("week", self.start + timedelta(weeks=steps))
        if self.kind == "month":
            months = self.start.year * 12 + self.start.month - 1 + steps
            return period_of("month", date(months // 12, months % 12 + 1, 1))
        return period_of("year", date(self.start.year + steps, 1, 1))


PERIOD_KINDS = {"week": "按周", "month": "按月", "year": "按年"}


def period_of(kind: str, day: date) -> Period:
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if kind == "month":
        return Period("month", day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))
    return Period("year", date(day.year, 1, 1), date(day.year, 12, 31))


def _weeks_starting_in(start: date, end: date) -> list[Period]:
    """The weeks whose Monday falls in [start, end]: each week belongs to one month and one year."""
    first = start + timedelta(days=-start.weekday() % 7)
    return [period_of("week", first + timedelta(weeks=n)) for n in range((end - first).days // 7 + 1)]


def _enclosing(kind: str, period: Period) -> list[Period]:
    """The periods of a duty (`kind`) that judge a view of `period`: the weeks starting in it, or the months (the
    year) it lies in."""
    if kind == "week":
        return [period] if period.kind == "week" else _weeks_starting_in(period.start, period.end)
    periods, day = [], period.start
    while day <= period.end:
        periods.append(period_of(kind, day))
        day = periods[-1].end + timedelta(days=1)
    return periods


# Judging.


@dataclass
class Duty:
    """One obligation of one pair over the periods that judge it."""

    label: str  # 联系, 走访, 实事
    unit: str  # 周, 月, 年
    required: int
    count: int = 0
    met: int = 0
    missed: int = 0
    open: bool = False  # the current period is short but not over
    due: int = 0
    measure: str = "次"

    @property
    def status(self) -> str:
        if self.missed:
            return "missed"
        if self.open:
            return "open"
        # No period of the duty has begun yet: nothing is owed so far, so it is neither met nor missed.
        return "met" if self.due else "future"

    @property
    def text(self) -> str:
        if self.due <= 1:
            return f"{self.count}/{self.required} {self.measure}"
        return f"{self.met}/{self.due} {self.unit}达标"


@dataclass
class PairCompliance:
    pairing: PairingLink
    duties: list[Duty] = field(default_factory=list)

    @property
    def missed(self) -> bool:
        return any(duty.missed for duty in self.duties)

    @property
    def status(self) -> str:
        statuses = {duty.status for duty in self.duties}
        for status in ("missed", "open", "met"):
            if status in statuses:
                return status
        return "future"


def _judge(duty: Duty, periods: list[Period], pairing: PairingLink, per_day: dict[date, int], today: date) -> Duty:
    for period in periods:
        if period.start > today or period.end < pairing.start_date:
            continue
        if pairing.end_date and period.start > pairing.end_date:
            continue
        count = sum(n for day, n in per_day.items() if period.start <= day <= period.end)
        duty.count += count
        duty.due += 1
        if count >= duty.required:
            duty.met += 1
        elif period.end >= today:
            duty.open = True
        else:
            duty.missed += 1
    return duty


def _aware(day: date, end: bool = False) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _counts(pairings: list[PairingLink], start: date, end: date) -> tuple[dict, dict]:
    """Per pair: contacts per day (recorded contacts and pairing visits, which are contacts too) and pairing
    visits per day, grouped in the database."""
    contacts: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    visits: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    if not pairings:
        return contacts, visits
    rows = (
        PairingContact.objects.filter(pairing__in=[p.pk for p in pairings], date__range=(start, end))
        .values("pairing_id", "date")
        .annotate(n=Count("id"))
    )
    for row in rows:
        contacts[row["pairing_id"]][row["date"]] += row["n"]
    pair_of = {(p.user_id, p.household_id): p.pk for p in pairings}
    rows = (
        Visit.objects.filter(
            kind=Visit.Kind.PAIRING,
            visitor__in={p.user_id for p in pairings},
            household__in={p.household_id for p in pairings},
            visited_at__range=(_aware(start), _aware(end, end=True)),
        )
        .annotate(day=TruncDate("visited_at"))
        .values("visitor_id", "household_id", "day")
        .annotate(n=Count("id"))
    )
    for row in rows:
        pk = pair_of.get((row["visitor_id"], row["household_id"]))
        if pk is not None:
            visits[pk][row["day"]] += row["n"]
            contacts[pk][row["day"]] += row["n"]
    return contacts, visits


# The duty each kind of period judges: what, its unit, the setting with how many are owed, and what is counted.
DUTY_OF = {
    "week": ("联系", "周", "PAIRING_CONTACTS_PER_WEEK", "次"),
    "month": ("走访", "月", "PAIRING_VISITS_PER_MONTH", "次"),
    "year": ("实事", "年", "PAIRING_DEEDS_PER_YEAR", "件"),
}


def pairing_compliance(
    *, pairings: list[PairingLink], period: Period, duty: str | None = None, today: date | None = None
) -> list[PairCompliance]:
    """Each pair's one duty judged over `period`: by default the duty of the period's own kind (contacts for a week,
    visits for a month, deeds for a year), so a week is never held open by the month or the year around it. `duty`
    picks another kind to judge over a longer span (the weeks starting in it). Two queries at most, whatever the
    number of pairs."""
    today = today or timezone.localdate()
    kind = duty or period.kind
    periods = _enclosing(kind, period)
    if kind == "year":
        deeds = pairing_deeds_count(pairings=pairings, start=periods[0].start, end=periods[-1].end)
        per_day = {pairing.pk: {periods[0].start: deeds.get(pairing.pk, 0)} for pairing in pairings}
    else:
        contacts, visits = _counts(pairings, periods[0].start, periods[-1].end)
        per_day = visits if kind == "month" else contacts
    label, unit, setting, measure = DUTY_OF[kind]
    return [
        PairCompliance(
            pairing,
            [
                _judge(
                    Duty(label, unit, getattr(settings, setting), measure=measure),
                    periods,
                    pairing,
                    per_day.get(pairing.pk, {}),
                    today,
                )
            ],
        )
        for pairing in pairings
    ]


def pairings_in_period(pairings: QuerySet[PairingLink], period: Period) -> QuerySet[PairingLink]:
    """Pairs that were active on some day of the period."""
    return pairings.filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start), start_date__lte=period.end)


@dataclass
class UnitTotal:
    unit: str
    pairs: int = 0
    met: int = 0
    open: int = 0
    missed: int = 0
    future: int = 0


def totals_by_unit(results: list[PairCompliance]) -> list[UnitTotal]:
    totals: dict[str, UnitTotal] = {}
    for result in results:
        name = str(result.pairing.user.unit or "未分配单位")
        total = totals.setdefault(name, UnitTotal(name))
        total.pairs += 1
        setattr(total, result.status, getattr(total, result.status) + 1)
    return sorted(totals.values(), key=lambda total: (-total.missed, total.unit))


# The leader's and cadre's home page.


@dataclass(frozen=True)
class PairingDuty:
    pairing: PairingLink
    this_week: Duty  # contacts this week
    this_month: Duty  # visits this month
    this_year: Duty  # deeds this year
    behind: list[str]  # what was missed lately, in words


# How far back the home page looks for missed weeks and months.
BEHIND_WEEKS = 4


def pairing_duty(*, user: User, today: date | None = None) -> PairingDuty | None:
    """What a leader or cadre owes their paired household now, and what they are behind on."""
    pairing = active_pairing_of(user)
    if pairing is None:
        return None
    today = today or timezone.localdate()
    week = period_of("week", today)
    last_month = period_of("month", today).shifted(-1)
    weeks_before = Period("span", week.start - timedelta(weeks=BEHIND_WEEKS), week.start - timedelta(days=1))

    def duty_over(period: Period, kind: str | None = None) -> Duty:
        [result] = pairing_compliance(pairings=[pairing], period=period, duty=kind, today=today)
        return result.duties[0]

    past, month_before = duty_over(weeks_before, "week"), duty_over(last_month)
    behind = []
    if past.missed:
        behind.append(f"近{BEHIND_WEEKS}周有 {past.missed} 周未联系")
    if month_before.missed:
        behind.append(f"{last_month.start.month}月未走访")
    return PairingDuty(
        pairing,
        this_week=duty_over(week),
        this_month=duty_over(period_of("month", today)),
        this_year=duty_over(period_of("year", today)),
        behind=behind,
    )
