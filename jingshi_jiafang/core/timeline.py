"""A household's timeline: each app offers the events it recorded (`timeline_events(household=...)`), and the
household page puts them together (jingshi_jiafang/households/timeline.py). A household's history is tens of
rows, so the events are merged in Python, in a fixed number of queries per app."""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from jingshi_jiafang.core.models import Household


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str
    title: str
    lines: tuple[str, ...] = ()
    url: str = ""
    # Shown by the page, which masks personal items unless a reveal was asked for.
    corrections: tuple = ()


def timeline_events(*, household: Household) -> list[TimelineEvent]:
    """The platform's own events: attachments uploaded and the household's responsible officers."""
    events = [
        TimelineEvent(a.created_at, "attachment", f"上传附件:{a.original_name}", (a.description,), a.get_absolute_url())
        for a in household.attachments.all()
    ]
    events += [
        TimelineEvent(
            datetime.combine(link.start_date, time.min, timezone.get_current_timezone()),
            "link",
            f"责任民警:{link.officer}",
        )
        for link in household.links.select_related("officer")
    ]
    return events
