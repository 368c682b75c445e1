"""The legal department's monthly categorised report (月度分类报表): one workbook per month (and optionally one
town or village), a summary sheet first, then one sheet per topic listing each matter of the month.

"Matters of the month" are those registered in the month, Asia/Shanghai, except the merged duplicates (their
original is counted). The matters are read once, in topic order, straight from the database with `iterator()`
into XlsxWriter's constant-memory sheets; the summary's figures are counted on the way (a few counters, as many
as topics × towns), so memory stays flat however large the month. The summary is written last but is the first
sheet: each sheet streams into its own temporary file. XlsxWriter rather than openpyxl: it writes a cell as a few
formatted strings where openpyxl builds an XML element per cell, about three times the rows per second; and a topic
sheet's rows go in whole (RowSheet, the same bytes), which more than doubles that again. In an export job a thread
reads the matters ahead on a connection of its own, so that PostgreSQL works out the next rows while these are
written (jingshi_jiafang/core/read_ahead.py). 100,000 matters take about 6 s on two shared cores (`make bench`).

It reads feedback's matters and talk-room callbacks, the ledger's items and the evaluation centre's callbacks,
so it lives in the top layer.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import IO

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from evaluation.models import Callback
from feedback.models import Category, Matter, TalkRoomCallback, TopicMonth
from feedback.workflows import MATTER_FLOW
from jingshi_jiafang.core.dates import month_bounds
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.exports import safe_cell
from jingshi_jiafang.core.models import Area
from jingshi_jiafang.core.privacy import mask_numbers_in_text, mask_phone
from jingshi_jiafang.core.read_ahead import read_ahead, reads_ahead
from jingshi_jiafang.core.selectors import town_of_unit, units_placed_in
from jingshi_jiafang.reports.xlsx_rows import RowSheet
from ledger.models import LedgerItem

SUMMARY_TITLE = "汇总"
UNCLASSIFIED = "未分类"
NO_TOWN = "未能归属镇/乡"
NO_HOUSEHOLD = "(未关联户)"
NOT_CALLED_BACK = "未回访"
UNREACHABLE = "联系不上"
SUMMARY_LENGTH = 120  # characters of a matter's text on its row: enough to know it, short enough to scan
RESULT_LENGTH = 200
PROGRESS_EVERY = 500
CHUNK_SIZE = 2000  # matters fetched at a time: memory stays that of a few chunks however large the month

# A Chinese font that every office machine has (Windows, WPS): the sheets read well in it.
FONT_NAME = "宋体"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"

# (header, column width) of a topic sheet, in order. A Chinese character takes two widths, and the header's
# filter button about three more: narrower, a header shows cut (按期办 for 按期办结).
COLUMNS = [
    ("查询编号", 15),
    ("回音卡号", 22),
    ("登记日期", 12),
    ("渠道", 11),
    ("镇/乡", 12),
    ("村/居", 14),
    ("反映人电话", 14),
    ("内容摘要", 60),
    ("状态", 8),
    ("责任单位", 18),
    ("办理期限", 17),
    ("办结时间", 17),
    ("按期办结", 12),
    ("办理结果", 50),
    ("台账状态", 12),
    ("曾重新办理", 14),
    ("满意度", 9),
]
HEADERS = [header for header, _ in COLUMNS]

# The stages a counted matter can be in (merged ones are not counted).
STAGES = [state for state in Matter.State if state != Matter.State.MERGED]
SATISFACTION_LABELS = dict(TalkRoomCallback.Outcome.choices)  # the evaluation centre's codes are the same three
SATISFACTIONS = [SATISFACTION_LABELS[code] for code in ("satisfied", "fairly_satisfied", "not_satisfied")] + [
    UNREACHABLE,
    NOT_CALLED_BACK,
]
LEDGER_LABELS = dict(LedgerItem.State.choices)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_LONG_AGO = datetime.min.replace(tzinfo=UTC)  # an answer with no time recorded counts as the oldest


class ReportError(DomainError):
    """A month or area the report cannot be made for."""


@dataclass(frozen=True)
class ReportScope:
    month: date  # its first day
    area: Area | None  # a town or a village; None: the whole county

    @property
    def params(self) -> dict:
        """As an export job stores it, and the audit log records it."""
        return {"month": f"{self.month:%Y-%m}", "area": self.area.code if self.area else ""}

    @property
    def label(self) -> str:
        where = self.area.full_name if self.area else "全县"
        return f"{self.month:%Y年%m月} · {where}"

    @property
    def filename(self) -> str:
        where = f"-{self.area.name}" if self.area else ""
        draft = "" if self.is_final() else "(草稿)"
        return f"月度分类报表-{self.month:%Y年%m月}{where}{draft}.xlsx"

    def is_final(self) -> bool:
        """Final once the legal department closed the month's topics: before, categories may still change. A past
        month in which the county registered no matter has no topic to confirm and cannot be closed
        (`topic_month_close`): its report is final as it is, not a draft for ever."""
        if TopicMonth.objects.filter(month=self.month).exists():
            return True
        if self.month >= timezone.localdate().replace(day=1):
            return False
        start, end = month_bounds(self.month)
        in_month = Matter.objects.filter(created_at__gte=start, created_at__lt=end)
        return not in_month.exclude(state=Matter.State.MERGED).exists()


def parse_month(text: str) -> date:
    """`YYYY-MM` → the month's first day; a month that has not begun has nothing to report."""
    match = _MONTH.match((text or "").strip())
    try:
        month = date(int(match[1]), int(match[2]), 1) if match else None
    except ValueError:
        month = None
    if month is None:
        raise ReportError(f"月份“{text}”无效,请写成 YYYY-MM,如 2026-10。")
    if month > timezone.localdate():
        raise ReportError(f"{month:%Y年%m月}还没有开始,没有可统计的诉求。")
    return month


def parse_area(code: str) -> Area | None:
    """A town's or village's 区划代码 → the area; blank → the whole county."""
    code = (code or "").strip()
    if not code:
        return None
    area = Area.objects.select_related("parent").filter(code=code).first()
    if area is None:
        raise ReportError(f"没有区划代码为“{code}”的镇/乡或村/居。")
    return area


def report_scope(params: dict) -> ReportScope:
    return ReportScope(month=parse_month(params.get("month", "")), area=parse_area(params.get("area", "")))


def _area_filter(area: Area | None) -> Q:
    """A matter is in an area by its household's village. A walk-in with no household is in the town of the
    police room (or station) that took it (`town_of_unit`, as the summary's town rows have it), so a town's
    report holds its talk rooms' matters; a village's holds the matters of its households only, since a police
    room serves several villages."""
    if area is None:
        return Q()
    if area.kind == Area.Kind.VILLAGE:
        return Q(household__village=area)
    return Q(household__village__parent=area) | Q(household__isnull=True, unit_id__in=units_placed_in([area.pk]))


def _registered_in(scope: ReportScope) -> QuerySet[Matter]:
    start, end = month_bounds(scope.month)
    return Matter.objects.filter(_area_filter(scope.area), created_at__gte=start, created_at__lt=end)


def monthly_matters(scope: ReportScope) -> QuerySet[Matter]:
    """The matters the report counts: registered in the month, in the area, not merged into another."""
    return _registered_in(scope).exclude(state=Matter.State.MERGED)


def monthly_report_count(params: dict) -> int:
    return monthly_matters(report_scope(params)).count()


def _rows(scope: ReportScope) -> QuerySet:
    """One dict per matter, in topic order, with what its row needs from the other apps as subqueries: its
    latest answer to a callback (the evaluation centre's or the talk room's), whether it was reopened (its
    history), its ledger item's state. No model instances: a household's encrypted numbers are not read."""
    done = Callback.State.DONE
    answered = ["satisfied", "fairly_satisfied", "not_satisfied"]
    evaluation = Callback.objects.filter(matter=OuterRef("pk"), state=done).exclude(satisfaction="")
    evaluation = evaluation.order_by("-done_at", "-id")
    talk_room = TalkRoomCallback.objects.filter(matter=OuterRef("pk"), outcome__in=answered)
    talk_room = talk_room.order_by("-done_at", "-id")
    reopenings = MATTER_FLOW.moves_out_of(Matter.State.CLOSED).filter(matter=OuterRef("pk"))
    topic_order = Case(
        *(When(category=code, then=Value(index)) for index, code in enumerate(Category.values)),
        default=Value(len(Category.values)),
        output_field=IntegerField(),
    )
    return (
        monthly_matters(scope)
        .annotate(
            topic_order=topic_order,
            evaluation_answer=Subquery(evaluation.values("satisfaction")[:1]),
            evaluation_at=Subquery(evaluation.values("done_at")[:1]),
            talk_room_answer=Subquery(talk_room.values("outcome")[:1]),
            talk_room_at=Subquery(talk_room.values("done_at")[:1]),
            unreachable=Exists(Callback.objects.filter(matter=OuterRef("pk"), state=Callback.State.GIVEN_UP))
            | Exists(TalkRoomCallback.objects.filter(matter=OuterRef("pk"), outcome="unreachable")),
            reopened=Exists(reopenings),
            ledger_state=Subquery(LedgerItem.objects.filter(matter=OuterRef("pk")).values("state")[:1]),
        )
        .order_by("topic_order", "created_at", "id")
        .values(
            "reference",
            "echo_card__number",
            "created_at",
            "channel",
            "unit_id",
            "unit__name",
            "household__village__name",
            "household__village__parent__name",
            "household__phone",
            "resident_phone",
            "content",
            "category",
            "state",
            "deadline",
            "closed_at",
            "result",
            "evaluation_answer",
            "evaluation_at",
            "talk_room_answer",
            "talk_room_at",
            "unreachable",
            "reopened",
            "ledger_state",
        )
    )


def _satisfaction(row: dict) -> str:
    """The resident's latest answer, from either callback; else whether they could not be reached."""
    answers = [
        (at, code)
        for code, at in (
            (row["evaluation_answer"], row["evaluation_at"]),
            (row["talk_room_answer"], row["talk_room_at"]),
        )
        if code
    ]
    if answers:
        return SATISFACTION_LABELS[max(answers, key=lambda answer: answer[0] or _LONG_AGO)[1]]
    return UNREACHABLE if row["unreachable"] else NOT_CALLED_BACK


def _on_time(row: dict) -> bool | None:
    """None while not closed; a closed matter without a deadline had none to miss."""
    if row["state"] != Matter.State.CLOSED or row["closed_at"] is None:
        return None
    return row["deadline"] is None or row["closed_at"] <= row["deadline"]


def _text(value: str, limit: int) -> str:
    """A resident's words for a cell: numbers masked, on one line, cut at `limit` with an ellipsis, control
    characters (which a workbook cannot hold) removed."""
    text = " ".join(mask_numbers_in_text(ILLEGAL_CHARACTERS_RE.sub("", value or "")).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _local(moment: datetime | None, zone: tzinfo) -> datetime | None:
    # To the minute, as the sheet shows it: seconds would only make the filter on the column harder to use.
    # The zone is looked up once per report: timezone.localtime() looks it up for every value it converts.
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) if moment else None


@contextmanager
def _matter_rows(scope: ReportScope) -> Iterator[Iterator[dict]]:
    """`_rows(scope)`, read ahead by a thread of its own where it can be (jingshi_jiafang/core/read_ahead.py: the
    database works out the next rows while these are written), and planned without JIT either way."""
    queryset = _rows(scope)
    if reads_ahead(queryset):
        with read_ahead(queryset, chunk_size=CHUNK_SIZE, settings_sql=["SET LOCAL jit = off"]) as rows:
            yield rows
    else:
        with _without_jit(), read_ahead(queryset, chunk_size=CHUNK_SIZE) as rows:
            yield rows


@contextmanager
def _without_jit():
    """PostgreSQL compiles a query it estimates costly to machine code (JIT). The report's query is costly for
    its per-matter subqueries, which compiling does not speed up: on a month of 100,000 matters compiling took
    2 s of CPU, more than the 0.9 s the query then ran, and the CPU is the export's own. Off for this
    connection while the rows are read."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


class _Styles:
    """The workbook's formats, made once and shared by every cell: every cell carries the Chinese font, dates a
    date format, headers bold on a shaded fill."""

    def __init__(self, workbook: Workbook):
        font = {"font_name": FONT_NAME, "font_size": 11}
        self.text = workbook.add_format(font)
        self.date = workbook.add_format({**font, "num_format": DATE_FORMAT})
        self.moment = workbook.add_format({**font, "num_format": DATETIME_FORMAT})
        self.percent = workbook.add_format({**font, "num_format": PERCENT_FORMAT})
        self.header = workbook.add_format(
            {**font, "bold": True, "pattern": 1, "bg_color": "#DDE6F0", "valign": "vcenter"}
        )
        self.title = workbook.add_format({"font_name": FONT_NAME, "font_size": 14, "bold": True})

    def write_row(self, sheet: Worksheet, row: int, values, template: Format | None = None) -> None:
        """Write `values` into row `row` (from 0), each by its type, so that text is never read as a formula or
        a number, and a blank cell keeps the font."""
        for column, value in enumerate(values):
            value = safe_cell(value)
            if value is None or value == "":
                sheet.write_blank(row, column, None, template or self.text)
            elif isinstance(value, str):
                sheet.write_string(row, column, value, template or self.text)
            elif isinstance(value, datetime):  # first: a datetime is a date too
                sheet.write_datetime(row, column, value, template or self.moment)
            elif isinstance(value, date):
                sheet.write_datetime(row, column, value, template or self.date)
            else:
                sheet.write_number(row, column, value, template or self.text)


@dataclass
class _Tally:
    """What the summary counts, gathered while the rows stream past."""

    by_topic_town: Counter
    by_stage: Counter
    by_satisfaction: Counter
    closed: int = 0
    closed_on_time: int = 0
    reopened: int = 0
    total: int = 0


def _towns_in(scope: ReportScope) -> list[str]:
    """The summary's town rows: every town the report covers, in code order, so a town with none shows 0."""
    if scope.area is None:
        return list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code").values_list("name", flat=True))
    return [scope.area.parent.name if scope.area.parent_id else scope.area.name]


def _for_print(sheet, *, landscape: bool, header_rows: int) -> None:
    """The legal department prints the report: A4, as wide as one page, the header on every page, numbered."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, header_rows - 1)
    sheet.set_footer("&C第 &P 页,共 &N 页")


def _topic_sheet(workbook: Workbook, styles: _Styles, title: str) -> RowSheet:
    sheet = workbook.add_worksheet(title, worksheet_class=RowSheet)
    _for_print(sheet, landscape=True, header_rows=1)
    sheet.freeze_panes(1, 0)
    for index, (_, width) in enumerate(COLUMNS):
        sheet.set_column(index, index, width)
    styles.write_row(sheet, 0, HEADERS, styles.header)
    return sheet


def monthly_report_write(file: IO[bytes], params: dict, progress: Callable[[int], None] | None = None) -> int:
    """Write the report of `params` ({"month": "YYYY-MM", "area": code or ""}) into `file`; returns the number
    of matters listed (the rows of the topic sheets together, which is the summary's grand total)."""
    scope = report_scope(params)
    # constant_memory: each sheet's rows go to its own temporary file as they are written, not kept in memory.
    workbook = Workbook(file, {"constant_memory": True})
    summary = workbook.add_worksheet(SUMMARY_TITLE)
    _for_print(summary, landscape=False, header_rows=2)
    summary.freeze_panes(2, 0)
    summary.set_column(0, 0, 30)  # its longest label, 重新办理(办结后被退回再办), has a figure beside it
    summary.set_column(1, 8, 11)
    styles = _Styles(workbook)
    sheets = {label: _topic_sheet(workbook, styles, label) for label in Category.labels}
    rows_of = Counter()
    labels = dict(Category.choices)
    stage_labels = dict(Matter.State.choices)
    channel_labels = dict(Matter.Channel.choices)
    unit_towns = town_of_unit(names=True)
    tally = _Tally(by_topic_town=Counter(), by_stage=Counter(), by_satisfaction=Counter())
    zone = timezone.get_current_timezone()
    with _matter_rows(scope) as matters:
        for row in matters:
            topic = labels.get(row["category"], UNCLASSIFIED)
            if topic not in sheets:  # the 未分类 sheet, made the first time it is needed: topic order puts it last
                sheets[topic] = _topic_sheet(workbook, styles, topic)
            town = row["household__village__parent__name"] or unit_towns.get(row["unit_id"], NO_TOWN)
            on_time = _on_time(row)
            satisfaction = _satisfaction(row)
            rows_of[topic] += 1
            sheets[topic].write_typed_row(
                rows_of[topic],
                (
                    row["reference"],
                    row["echo_card__number"] or "",
                    row["created_at"].astimezone(zone).date(),
                    channel_labels.get(row["channel"], row["channel"]),
                    town,
                    row["household__village__name"] or NO_HOUSEHOLD,
                    mask_phone(row["resident_phone"] or row["household__phone"] or ""),
                    _text(row["content"], SUMMARY_LENGTH),
                    stage_labels.get(row["state"], row["state"]),
                    row["unit__name"],
                    _local(row["deadline"], zone),
                    _local(row["closed_at"], zone),
                    {None: "", True: "是", False: "否"}[on_time],
                    _text(row["result"], RESULT_LENGTH),
                    LEDGER_LABELS.get(row["ledger_state"], "无"),
                    "是" if row["reopened"] else "否",
                    satisfaction,
                ),
                text=styles.text,
                day=styles.date,
                moment=styles.moment,
            )
            tally.total += 1
            tally.by_topic_town[(town, topic)] += 1
            tally.by_stage[row["state"]] += 1
            tally.by_satisfaction[satisfaction] += 1
            tally.closed += on_time is not None
            tally.closed_on_time += bool(on_time)
            tally.reopened += bool(row["reopened"])
            if progress and tally.total % PROGRESS_EVERY == 0:
                progress(tally.total)

    for title, sheet in sheets.items():
        sheet.autofilter(0, 0, rows_of[title], len(COLUMNS) - 1)
    merged = _registered_in(scope).filter(state=Matter.State.MERGED).count()
    _write_summary(summary, styles, scope, tally, topics=list(sheets), towns=_towns_in(scope), merged=merged)
    workbook.close()
    if progress:
        progress(tally.total)
    return tally.total


def _write_summary(sheet, styles: _Styles, scope: ReportScope, tally: _Tally, *, topics, towns, merged) -> None:
    next_row = iter(range(1_048_576))  # a sheet's rows, from the top

    def line(*values, template=None):
        styles.write_row(sheet, next(next_row), values, template)

    line(f"群众诉求月度分类报表 · {scope.label}", template=styles.title)
    line(
        f"统计口径:{scope.month:%Y年%m月}内登记的诉求(北京时间),不含已合并的重复诉求(本月 {merged} 件,"
        f"随原诉求统计);生成于 {timezone.localtime():%Y-%m-%d %H:%M}。各类别分表的行数合计等于下方总计。"
    )
    if not scope.is_final():
        line("草稿:该月的类别研判尚未关闭,部分诉求的类别还未经法制部门确认,关闭该月后请重新生成。")
    line()
    line("一、按类别和镇/乡", template=styles.header)
    line("镇/乡", *topics, "合计", template=styles.header)
    extra_towns = sorted({town for town, _ in tally.by_topic_town} - set(towns))
    for town in [*towns, *extra_towns]:
        counts = [tally.by_topic_town[(town, topic)] for topic in topics]
        line(town, *counts, sum(counts))
    column_totals = [sum(tally.by_topic_town[(town, topic)] for town in [*towns, *extra_towns]) for topic in topics]
    line("合计", *column_totals, tally.total, template=styles.header)
    line()
    line("二、按办理状态", template=styles.header)
    line("状态", "件数", template=styles.header)
    for stage in STAGES:
        line(stage.label, tally.by_stage[stage])
    line("合计", tally.total, template=styles.header)
    line()
    line("三、按期办结", template=styles.header)
    line("已办结", tally.closed)
    line("按期办结", tally.closed_on_time)
    rate = tally.closed_on_time / tally.closed if tally.closed else None
    row = next(next_row)
    styles.write_row(sheet, row, ["按期办结率"])
    if rate is None:
        sheet.write_string(row, 1, "—", styles.percent)
    else:
        sheet.write_number(row, 1, rate, styles.percent)
    line("重新办理(办结后被退回再办)", tally.reopened)
    line()
    line("四、回访满意度", template=styles.header)
    line("结果", "件数", template=styles.header)
    for label in SATISFACTIONS:
        line(label, tally.by_satisfaction[label])
    line("合计", tally.total, template=styles.header)


def monthly_preview(scope: ReportScope) -> dict:
    """What the page says before the report is made: how many matters it will list, how many without a topic,
    how many whose topic the legal department has not confirmed, and whether the month is closed (final)."""
    counts = monthly_matters(scope).aggregate(
        total=Count("pk"),
        unclassified=Count("pk", filter=Q(category="")),
        unconfirmed=Count("pk", filter=Q(category_confirmed_at__isnull=True)),
    )
    return {**counts, "final": scope.is_final()}
