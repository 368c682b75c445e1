"""Everything recorded about one household, newest first: put together here, at the top, from what each app
offers, so that no app reaches into a later one."""

from evaluation.selectors import callbacks as callback_selectors
from evaluation.selectors import field_checks as field_check_selectors
from feedback import selectors as feedback_selectors
from jingshi_jiafang.core import timeline as core_timeline
from jingshi_jiafang.core.models import Household
from jingshi_jiafang.core.timeline import TimelineEvent
from ledger import selectors as ledger_selectors
from visits import selectors as visits_selectors

SOURCES = (
    core_timeline,
    visits_selectors,
    feedback_selectors,
    ledger_selectors,
    callback_selectors,
    field_check_selectors,
)


def household_timeline(*, household: Household) -> list[TimelineEvent]:
    events = [event for source in SOURCES for event in source.timeline_events(household=household)]
    return sorted(events, key=lambda event: event.at, reverse=True)
