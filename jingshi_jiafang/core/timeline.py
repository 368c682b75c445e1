"""A household's timeline: each app offers the events it recorded (`timeline_events(household=...)`), and the
household page puts them together (jingshi_jiafang/households/timeline.py). A household's history is tens of
rows, so the events are merged in Python, in a fixed number of queries per app."""

from dataclasses import dataclass
from datetime import datetime

from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.imports.changes import change_lines
from jingshi_jiafang.core.models import Household, ImportCorrection


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
            midnight(link.start_date),
            "link",
            f"责任民警:{link.officer}",
        )
        for link in household.links.all()  # read with their officers (core.selectors.with_links_and_attachments)
    ]
    return events + _import_corrections(household)


def _import_corrections(household: Household) -> list[TimelineEvent]:
    """What each import changed on the household (住址 1号 → 新住址8号), one event per import, numbers masked."""
    corrections = list(
        ImportCorrection.objects.filter(object_type=Household._meta.label, object_id=str(household.pk))
        .select_related("run__uploaded_by")
        .order_by("run_id", "id")
    )
    by_run: dict[int, list] = {}
    for correction, line in zip(corrections, change_lines(corrections), strict=True):
        by_run.setdefault(correction.run_id, []).append((correction, line))
    return [
        TimelineEvent(
            items[0][0].created_at,
            "import",
            f"导入更正:导入 #{run_id}({items[0][0].run.uploaded_by})",
            tuple(str(line) for _correction, line in items),
        )
        for run_id, items in by_run.items()
    ]
