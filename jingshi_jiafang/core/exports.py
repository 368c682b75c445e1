"""Excel downloads. Every text cell is escaped so that a resident's words can never run as a formula.

Workbooks are written with openpyxl's write-only mode, one row at a time from an iterator, into a temporary
file: neither the rows nor the workbook are held in memory whole. Small exports are answered in the request;
large ones are written by a Celery job into private storage (jingshi_jiafang/core/export_jobs.py)."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.utils import timezone
from openpyxl import Workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """A value as it may go into a cell: text that a spreadsheet would read as a formula gets a leading quote."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_xlsx(
    file,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    progress: Callable[[int], None] | None = None,
    progress_every: int = 2000,
) -> int:
    """Stream `rows` into a one-sheet workbook written to `file`; returns the number of rows. `progress` is
    called with the count so far every `progress_every` rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(list(headers))
    count = 0
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
        count += 1
        if progress and count % progress_every == 0:
            progress(count)
    workbook.save(file)
    return count
