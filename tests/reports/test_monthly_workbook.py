"""The monthly report's workbook, built from a hand-built month: its sheets, their form, and exact figures."""

import re
from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.db import connection, transaction
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from feedback.models import Matter, MatterEvent
from jingshi_jiafang.core.models import User
from jingshi_jiafang.reports.forms import last_month
from jingshi_jiafang.reports.monthly import HEADERS, ReportError, ReportScope, monthly_report_write, parse_month
from tests.core.factories import HouseholdFactory, TownFactory, UserFactory, VillageFactory
from tests.reports.helpers import evaluation_answer, matter, moment, reopened, talk_room_answer

pytestmark = pytest.mark.django_db

TOPIC_SHEETS = ["治安防范", "执法服务", "队伍建设", "涉法涉诉", "其他"]
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
FULL_ID = re.compile(r"\d{17}[\dXx]")


@pytest.fixture
def month(village_a, village_b):
    """Six matters of last month in two towns (a third has none), and three that the report must leave out."""
    TownFactory(name="南关镇", code="T99999", unit=village_a.parent.unit)
    east = HouseholdFactory(village=village_a)
    west = HouseholdFactory(village=village_b, phone="13700001111")
    caller = UserFactory(role=User.Role.EVALUATOR)
    on_time = matter(
        at=moment(3),
        household=east,
        category="public_security",
        state="closed",
        content='=HYPERLINK("http://x","点我")',
        deadline=moment(20),
    )
    evaluation_answer(on_time, "satisfied", by=caller)
    # a note on a closed matter (the legal department confirming its category) is no reopening
    MatterEvent.objects.create(matter=on_time, from_state="closed", to_state="closed", note="法制部门确认类别:治安防范")
    late = matter(at=moment(5), household=east, category="public_security", state="closed", deadline=moment(6))
    reopened(late)
    evaluation_answer(late, "fairly_satisfied", by=caller, hours_after_close=20)
    talk_room_answer(late, "not_satisfied", by=caller, hours_after_close=48)  # the later answer counts
    matter(
        at=moment(10),
        household=west,
        category="public_security",
        state="handling",
        content="请打13812345678联系我,身份证32132219650101123X",
        resident_phone="13912345678",
    )
    matter(at=moment(12), household=west, category="litigation", state="dispatched", deadline=moment(27))
    walk_in = matter(at=moment(15), unit=village_a.unit, category="law_enforcement", state="closed")
    talk_room_answer(walk_in, "unreachable", by=caller)
    # The month's first moment in Beijing time (the previous day in UTC), no category yet.
    first = matter(at=moment(1, hour=0), household=east)
    # Left out: merged into another, registered the first moment of this month, registered the month before.
    matter(at=moment(7), household=east, category="public_security", state="merged", duplicate_of=on_time)
    this_month = timezone.localdate().replace(day=1)
    matter(at=timezone.make_aware(datetime.combine(this_month, time.min)), household=east)
    matter(at=moment(1, hour=0) - timedelta(minutes=1), household=east)
    return {"first": first, "east": east, "west": west}


def build(area: str = "") -> tuple:
    file = BytesIO()
    count = monthly_report_write(file, {"month": f"{last_month():%Y-%m}", "area": area})
    file.seek(0)
    return count, load_workbook(file)


def table(sheet, header: str) -> dict[str, list]:
    """A table of the summary: the rows under the row that starts with `header`, by their first cell, up to
    and including 合计."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == header)
    found = {"_header": [v for v in rows[start] if v is not None]}
    for row in rows[start + 1 :]:
        found[row[0]] = [v for v in row[1:] if v is not None]
        if row[0] == "合计":
            return found
    return found


def data_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_sheets_come_in_order_summary_first_and_unclassified_last(month):
    count, workbook = build()
    assert workbook.sheetnames == ["汇总", *TOPIC_SHEETS, "未分类"]
    assert count == 6


def test_no_unclassified_sheet_when_every_matter_has_a_topic(month):
    Matter.objects.filter(pk=month["first"].pk).update(category="other")
    _, workbook = build()
    assert workbook.sheetnames == ["汇总", *TOPIC_SHEETS]
    assert len(data_rows(workbook["其他"])) == 1


def test_topic_sheets_have_frozen_headers_filters_widths_and_a_chinese_font(month):
    _, workbook = build()
    for name in [*TOPIC_SHEETS, "未分类"]:
        sheet = workbook[name]
        assert [cell.value for cell in sheet[1]] == HEADERS
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:Q{len(data_rows(sheet)) + 1}"
        # As Excel stores a column it shows as 60 characters wide: the characters plus 5 pixels of padding.
        assert sheet.column_dimensions["H"].width == pytest.approx(60 + 5 / 7, abs=0.01)
    assert workbook["治安防范"]["H2"].font.name == "宋体"
    assert workbook["治安防范"]["A1"].font.bold


def test_every_sheet_prints_on_a4_one_page_wide_with_its_header_on_each_page(month):
    _, workbook = build()
    for name, landscape, header in [("汇总", False, "1:2"), ("治安防范", True, "1:1"), ("未分类", True, "1:1")]:
        sheet = workbook[name]
        assert sheet.page_setup.paperSize == 9 and (sheet.page_setup.orientation == "landscape") == landscape
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # One page wide (1 is the default, which the file leaves unwritten), as many pages tall as it takes.
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows.replace("$", "") == header
        assert sheet.oddFooter.center.text == "第 &P 页,共 &N 页"


def _shown_width(text: str) -> int:
    """How many column widths a text takes in Excel: two for a Chinese character, one for anything else."""
    return sum(2 if ord(character) > 0x2E80 else 1 for character in text)


def test_no_header_or_label_is_cut_by_its_column(month):
    _, workbook = build()
    for name in [*TOPIC_SHEETS, "未分类"]:
        sheet = workbook[name]
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= _shown_width(cell.value) + 3, cell.value  # the filter button takes about three
    # The summary's labels with a figure beside them: a label running on into it would be cut.
    summary = workbook["汇总"]
    labels = [row[0].value for row in summary.iter_rows() if row[0].value and len(row) > 1 and row[1].value is not None]
    assert summary.column_dimensions["A"].width >= max(_shown_width(label) for label in labels)


def test_dates_are_real_excel_dates(month):
    _, workbook = build()
    sheet = workbook["治安防范"]
    registered, deadline, closed = sheet["C2"], sheet["K2"], sheet["L2"]
    assert registered.value == datetime.combine(moment(3).date(), datetime.min.time())
    assert registered.is_date and registered.number_format == "yyyy-mm-dd"
    assert deadline.value == datetime(*moment(20).timetuple()[:5]) and deadline.number_format == "yyyy-mm-dd hh:mm"
    assert closed.is_date
    # The month's first moment in Beijing time is the 1st, though it is the day before in UTC.
    assert workbook["未分类"]["C2"].value.date() == last_month()


def test_formula_like_text_is_written_as_text(month):
    _, workbook = build()
    cell = workbook["治安防范"]["H2"]
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://x","点我")'


def test_no_full_phone_or_id_number_anywhere(month):
    _, workbook = build()
    row = next(row for row in data_rows(workbook["治安防范"]) if "请打" in row[7])
    assert row[6] == "139****5678"
    assert "138****5678" in row[7] and "3213**********123X" in row[7]
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(values_only=True):
            text = " ".join(str(v) for v in values if v is not None)
            assert not FULL_MOBILE.search(text) and not FULL_ID.search(text), text


def test_rows_say_where_how_and_with_what_result(month):
    _, workbook = build()
    security = {row[0]: row for row in data_rows(workbook["治安防范"])}
    assert len(security) == 3
    on_time, late, open_ = sorted(security.values(), key=lambda row: row[2])
    assert (on_time[3], on_time[4], on_time[5], on_time[8], on_time[12], on_time[16]) == (
        "走访", "东关镇", "东湖村", "办结", "是", "满意"
    )  # fmt: skip
    assert (late[12], late[15], late[16]) == ("否", "是", "不满意")
    assert on_time[15] == "否"  # never reopened: said, not left blank
    assert (open_[4], open_[8], open_[11], open_[12], open_[16]) == ("西关镇", "处理", None, None, "未回访")
    walk_in = data_rows(workbook["执法服务"])[0]
    assert (walk_in[3], walk_in[4], walk_in[5], walk_in[16]) == ("群众说事厅", "东关镇", "(未关联户)", "联系不上")


def test_summary_by_topic_and_town_is_exact_and_its_total_is_the_topic_sheets_rows(month):
    count, workbook = build()
    summary = workbook["汇总"]
    by_town = table(summary, "镇/乡")
    assert by_town["_header"] == ["镇/乡", *TOPIC_SHEETS, "未分类", "合计"]
    assert by_town["东关镇"] == [2, 1, 0, 0, 0, 1, 4]
    assert by_town["西关镇"] == [1, 0, 0, 1, 0, 0, 2]
    assert by_town["南关镇"] == [0, 0, 0, 0, 0, 0, 0]
    assert by_town["合计"] == [3, 1, 0, 1, 0, 1, 6]
    topic_rows = sum(len(data_rows(workbook[name])) for name in workbook.sheetnames[1:])
    assert by_town["合计"][-1] == topic_rows == count == 6


def test_summary_by_stage_on_time_reopened_and_satisfaction(month):
    _, workbook = build()
    summary = workbook["汇总"]
    assert table(summary, "状态") == {
        "_header": ["状态", "件数"],
        "汇报": [1],
        "研判": [0],
        "分流": [1],
        "处理": [1],
        "办结": [3],
        "合计": [6],
    }
    figures = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert (figures["已办结"], figures["按期办结"]) == (3, 2)
    assert figures["按期办结率"] == pytest.approx(2 / 3)
    rate = next(row[1] for row in summary.iter_rows() if row[0].value == "按期办结率")
    assert rate.number_format == "0.0%"
    assert figures["重新办理(办结后被退回再办)"] == 1
    satisfaction = table(summary, "结果")
    assert {k: v[0] for k, v in satisfaction.items() if k != "_header"} == {
        "满意": 1,
        "基本满意": 0,
        "不满意": 1,
        "联系不上": 1,
        "未回访": 3,
        "合计": 6,
    }
    note = summary["A2"].value
    assert "不含已合并的重复诉求(本月 1 件" in note
    assert summary["A3"].value.startswith("草稿:该月的类别研判尚未关闭")  # the month is not closed


def test_a_town_or_a_village_narrows_the_report(month, village_a, village_b):
    count, workbook = build(village_a.parent.code)
    assert count == 4  # its households' three and the walk-in at its police room
    assert list(table(workbook["汇总"], "镇/乡"))[1:] == ["东关镇", "合计"]
    count, workbook = build(village_b.code)
    assert count == 2 and "西湖村" in workbook["汇总"]["A1"].value


def test_a_police_room_serving_two_towns_has_its_walk_ins_in_one_town(month, village_a, village_b):
    """东湖村's police room also serves a village of 西关镇: its walk-in stays in 东关镇 (its first village's town, as
    the county summary's town rows and the dashboard have it), and the 西关镇 report does not count it too."""
    VillageFactory(parent=village_b.parent, unit=village_a.unit, name="西岭村", code="Z99")
    count, workbook = build(village_b.parent.code)
    assert count == 2  # its households' two
    count, workbook = build(village_a.parent.code)
    assert count == 4


def test_an_empty_month_has_a_summary_of_zeros_and_empty_topic_sheets(village_a):
    count, workbook = build()
    assert count == 0 and workbook.sheetnames == ["汇总", *TOPIC_SHEETS]
    assert table(workbook["汇总"], "镇/乡")["合计"] == [0, 0, 0, 0, 0, 0]
    rate = next(row[1] for row in workbook["汇总"].iter_rows(values_only=True) if row[0] == "按期办结率")
    assert rate == "—"


def test_a_past_month_without_matters_is_final_not_a_draft_for_ever(village_a):
    """Such a month cannot be closed (nothing to confirm): its report was a draft for ever, saying that some
    categories were not yet confirmed. This month, still open to new matters, stays a draft while empty."""
    _, workbook = build()
    assert not str(workbook["汇总"]["A3"].value or "").startswith("草稿")
    assert "草稿" not in ReportScope(month=last_month(), area=None).filename
    assert ReportScope(month=timezone.localdate().replace(day=1), area=None).filename.endswith("(草稿).xlsx")
    matter(at=moment(3), household=HouseholdFactory(village=village_a), category="other")
    assert ReportScope(month=last_month(), area=None).filename.endswith("(草稿).xlsx")


def test_building_takes_the_same_few_queries_for_a_larger_month(month, village_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build()
        return len(captured)

    few = queries()
    household = HouseholdFactory(village=village_a)
    for day in range(2, 26):
        matter(at=moment(day), household=household, category="other", state="closed", deadline=moment(day + 1))
    assert queries() == few <= 8  # whatever the month holds: the workbook costs the same few queries


def test_the_rows_are_streamed_from_the_database_not_loaded_whole(month, monkeypatch):
    """The matters are read with iterator() (chunks, no result cache): never fetched whole into memory."""
    streamed = []
    original_iterator, original_fetch_all = QuerySet.iterator, QuerySet._fetch_all

    def iterator(self, chunk_size=None):
        if self.model is Matter:
            streamed.append(chunk_size)
        return original_iterator(self, chunk_size=chunk_size)

    def fetch_all(self):
        assert self.model is not Matter, "the month's matters were loaded whole"
        return original_fetch_all(self)

    monkeypatch.setattr(QuerySet, "iterator", iterator)
    monkeypatch.setattr(QuerySet, "_fetch_all", fetch_all)
    count, _ = build()
    assert count == 6 and streamed == [2000]


@pytest.mark.parametrize("text", ["2026-13", "202610", "10-2026", "", "2026-1"])
def test_a_bad_month_is_refused_in_words(text):
    with pytest.raises(ReportError, match="YYYY-MM"):
        parse_month(text)


def test_a_month_not_yet_begun_is_refused():
    following = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=1)
    with pytest.raises(ReportError, match="还没有开始"):
        parse_month(f"{following:%Y-%m}")


@pytest.mark.postgres
def test_the_matters_are_read_without_jit_compiling_and_the_setting_is_restored(month):
    """Compiling the query (JIT) cost more CPU than running it: off while it is planned, as before afterwards."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        before = cursor.fetchone()[0]
    with CaptureQueriesContext(connection) as captured:
        build()
    statements = [query["sql"] for query in captured]
    off = statements.index("SET jit = off")
    read = next(i for i, sql in enumerate(statements) if '"feedback_matter"."reference"' in sql)
    assert off < read < statements.index("RESET jit")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_read_ahead_by_a_thread_the_workbook_is_the_same(month):
    """Outside a transaction (an export job) a thread reads the matters; inside one, the caller does."""
    with CaptureQueriesContext(connection) as captured:
        count, ahead = build()
    assert not [query for query in captured if '"feedback_matter"."reference"' in query["sql"]]
    with transaction.atomic():
        same_count, here = build()
    assert count == same_count == 6
    assert ahead.sheetnames == here.sheetnames
    for title in TOPIC_SHEETS:
        assert list(ahead[title].values) == list(here[title].values)
    summary = [row for row in here["汇总"].values if not str(row[0]).startswith("统计口径")]
    assert [row for row in ahead["汇总"].values if not str(row[0]).startswith("统计口径")] == summary
