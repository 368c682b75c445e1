"""Reads of the ledger app that pages, home pages and dashboards share, one module per part: items here (the
household page, the timeline and the home queues read them as `ledger.selectors.<name>`), pairing and teams in
their own modules."""

from .items import (
    OPEN_STATES,
    State,
    Summary,
    heads_who_may_close,
    item_history,
    items_due_this_week,
    items_to_close,
    ledgers_for_print,
    listed,
    my_items,
    open_items_for_household,
    overdue,
    overdue_per_person,
    summary,
    timeline_events,
    week_end,
)

__all__ = [
    "OPEN_STATES",
    "State",
    "Summary",
    "heads_who_may_close",
    "item_history",
    "items_due_this_week",
    "items_to_close",
    "ledgers_for_print",
    "listed",
    "my_items",
    "open_items_for_household",
    "overdue",
    "overdue_per_person",
    "summary",
    "timeline_events",
    "week_end",
]
