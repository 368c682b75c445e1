"""Reads of the ledger that several pages share: queues, the unit's summary, the printed ledger, and what the
household page and the timeline show."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, Prefetch, Q, QuerySet
from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.models import Household, User
from jingshi_jiafang.core.scopes import unit_subtree
from jingshi_jiafang.core.timeline import TimelineEvent
from ledger.models import Ledger, LedgerItem, LedgerItemEvent
from ledger.permissions import may_close
from ledger.scopes import ledger_items_visible_to
from ledger.workflows import LEDGER_FLOW

State = LedgerItem.State
OPEN_STATES = list(LEDGER_FLOW.open_states)


def overdue(today: date) -> Q:
    """Not closed and past its deadline: the flag, the filter and the per-person count all ask this."""
    return Q(state__in=OPEN_STATES, deadline__lt=today)


def closed_between(start: date | None, end: date | None) -> Exists:
    """Items closed (销号) in the days from `start` to `end`, either left open; one reopened since included."""
    return LEDGER_FLOW.entered_between(State.CLOSED, start, end)


def listed(items: QuerySet[LedgerItem]) -> QuerySet[LedgerItem]:
    return items.select_related("household__village", "unit", "responsible").order_by("deadline", "pk")


def item_history(*, item: LedgerItem) -> QuerySet[LedgerItemEvent]:
    return item.events.select_related("actor").prefetch_related("evidence").order_by("at", "pk")


def heads_who_may_close(*, item: LedgerItem) -> list[User]:
    """Who may 销号 the delivered item: the heads of its unit and of the unit above it, but not whoever delivered
    it. Named on its page: a station has two heads, and a head who delivered an item himself must ask the other."""
    heads = User.objects.filter(is_active=True, is_unit_head=True, unit__in=[item.unit_id, item.unit.parent_id])
    return [head for head in heads.select_related("unit").order_by("unit__code", "name") if may_close(head, item)]


def my_items(*, user: User) -> QuerySet[LedgerItem]:
    """我的台账: the open items this person answers for, soonest deadline first."""
    return listed(LedgerItem.objects.filter(responsible=user, state__in=OPEN_STATES))


def week_end(today: date) -> date:
    return today + timedelta(days=6 - today.weekday())


def items_due_this_week(*, user: User) -> QuerySet[LedgerItem]:
    """Items this person has still to keep by Sunday, the overdue ones included: what the officer's week holds.
    One delivered waits for a head's 销号, not for them (it is on that head's 待销号 list)."""
    still_to_keep = my_items(user=user).exclude(state=State.DELIVERED)
    return still_to_keep.filter(deadline__lte=week_end(timezone.localdate()))


def items_to_close(*, user: User) -> QuerySet[LedgerItem]:
    """待销号: delivered items of the head's units that someone else delivered."""
    if not can.may_head_unit(user):
        return LedgerItem.objects.none()
    items = LedgerItem.objects.filter(unit__in=unit_subtree(user.unit), state=State.DELIVERED)
    return listed(items.exclude(delivered_by=user))


def open_items_for_household(*, household: Household, user: User) -> QuerySet[LedgerItem]:
    """The household's items not yet closed, as far as the user may see them."""
    items = ledger_items_visible_to(user).filter(household=household, state__in=OPEN_STATES)
    return items.select_related("responsible").order_by("deadline", "pk")


@dataclass(frozen=True)
class Summary:
    start: date
    end: date
    opened: int
    by_state: list[tuple[str, str, int]]  # (state, label, count) of the items opened in the period
    # What 按期销号率 is of: the items due in the period and how many of them were closed by their deadline; or,
    # for the days of 销号 (the dashboard's 台账销号), the closings in the days and how many came by the deadline,
    # as the dashboard counts them, so the page it opens says the same rate.
    of: int
    on_time: int
    of_closings: bool = False

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.of if self.of else None


def summary(*, items: QuerySet[LedgerItem], start: date, end: date, all_items: bool = False) -> Summary:
    """Of the items opened (掌握) in the period, how many are in each state now; of those due in the period (up to
    today), how many were closed (销号) on or before their deadline. One aggregate query. With `all_items` (the
    list of days of 销号 counts what it lists), the states of all the items given, and the rate of the closings
    in the days (a second query)."""
    today = timezone.localdate()
    opened = Q() if all_items else Q(created_at__date__gte=start, created_at__date__lte=end)
    due = Q(deadline__gte=start, deadline__lte=min(end, today))
    counts = items.aggregate(
        opened=Count("pk", filter=opened),
        **{state: Count("pk", filter=opened & Q(state=state)) for state in State.values},
        due=Count("pk", filter=due),
        closed_on_time=Count("pk", filter=due & Q(state=State.CLOSED, closed_at__date__lte=F("deadline"))),
    )
    of, on_time = counts["due"], counts["closed_on_time"]
    if all_items:
        of, on_time = _closings_on_time(items, start, end)
    return Summary(
        start=start,
        end=end,
        opened=counts["opened"],
        by_state=[(state, label, counts[state]) for state, label in State.choices],
        of=of,
        on_time=on_time,
        of_closings=all_items,
    )


def _closings_on_time(items: QuerySet[LedgerItem], start: date, end: date) -> tuple[int, int]:
    closings = LEDGER_FLOW.moves_into(State.CLOSED).filter(
        item__in=items.values("pk"), at__gte=midnight(start), at__lt=midnight(end + timedelta(days=1))
    )
    counts = closings.aggregate(n=Count("pk"), on_time=Count("pk", filter=Q(at__date__lte=F("item__deadline"))))
    return counts["n"], counts["on_time"]


def overdue_per_person(*, items: QuerySet[LedgerItem]) -> list[dict]:
    """Overdue items per responsible person (an item with none counts for its unit), most first."""
    rows = (
        items.filter(overdue(timezone.localdate()))
        .values("responsible", "responsible__name", "responsible__username", "unit__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "responsible__name", "unit__name")
    )
    return list(rows)


def ledgers_for_print(*, items: QuerySet[LedgerItem]) -> QuerySet[Ledger]:
    """The ledgers of `items`, each with those of its items and their history: a fixed number of queries."""
    events = LedgerItemEvent.objects.select_related("actor").prefetch_related("evidence").order_by("at", "pk")
    shown = items.select_related("unit", "responsible", "delivered_by", "closed_by").prefetch_related(
        Prefetch("events", queryset=events)
    )
    return (
        Ledger.objects.filter(pk__in=items.values("ledger"))
        .select_related("household__village__parent", "matter")
        .prefetch_related(Prefetch("items", queryset=shown.order_by("created_at", "pk"), to_attr="shown_items"))
        .order_by("pk")
    )


def timeline_events(*, household: Household) -> list[TimelineEvent]:
    """Each ledger item of the household: when it was known, where it stands, and who answers for it."""
    return [
        TimelineEvent(
            item.created_at,
            "ledger",
            f"台账事项({item.get_source_display()})· {item.get_state_display()}",
            (
                item.what,
                f"兑现期限 {item.deadline:%Y-%m-%d}" + (f" · 责任人 {item.responsible}" if item.responsible else ""),
            ),
            item.get_absolute_url(),
        )
        for item in household.ledger_items.select_related("responsible")
    ]
