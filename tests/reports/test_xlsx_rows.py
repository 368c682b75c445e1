"""RowSheet writes a row as one string: the workbook must be byte for byte the one XlsxWriter writes cell by cell."""

import zipfile
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from xlsxwriter import Workbook

from jingshi_jiafang.reports.monthly import _Styles
from jingshi_jiafang.reports.xlsx_rows import RowSheet


class Label(str):
    pass


ROWS = [
    ["E0000000001", "", date(2026, 10, 1), "电话", None, "村里路灯坏了", datetime(2026, 10, 3, 9, 30), 7, 2.5],
    [" leading", "trailing ", "\tboth\n", "a & b < c > d", 'say "hi"', "=SUM(A1:A2)", "-5", "+1", "@x"],
    ["\x01\x07control", "_x0041_ looks escaped", "\ufffe\uffff", "😀 emoji", "多\n行", "x" * 40_000, 0, -1, 1e20],
    [datetime(1900, 1, 1, 12), date(1900, 2, 28), date(1900, 3, 1), datetime(2026, 12, 31, 23, 59), "", "", "", None],
    # One text with a space at its end among plain ones; a str subclass (a choice's label); an aware moment.
    ["plain", "space at the end ", Label("办结"), datetime(2026, 10, 1, 0, 30, tzinfo=UTC), Label("")],
]


def workbook_bytes(write_row, worksheet_class=None) -> bytes:
    """A workbook with a header row written by XlsxWriter and ROWS by `write_row`, dated so that two are equal."""
    file = BytesIO()
    workbook = Workbook(file, {"constant_memory": True})
    workbook.set_properties({"created": datetime(2026, 1, 1)})
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet("表", worksheet_class=worksheet_class)
    sheet.freeze_panes(1, 0)
    styles.write_row(sheet, 0, ["甲", "乙", "丙"], styles.header)
    for number, values in enumerate(ROWS, start=1):
        write_row(styles, sheet, number, values)
    sheet.autofilter(0, 0, len(ROWS), 8)
    workbook.close()
    return file.getvalue()


def cell_by_cell(styles, sheet, row, values):
    styles.write_row(sheet, row, values)


def whole_rows(styles, sheet, row, values):
    sheet.write_typed_row(row, values, text=styles.text, day=styles.date, moment=styles.moment)


def parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_row_written_whole_is_what_xlsxwriter_writes_cell_by_cell():
    expected = parts(workbook_bytes(cell_by_cell))
    written = parts(workbook_bytes(whole_rows, RowSheet))
    assert written.keys() == expected.keys()
    for name in expected:
        assert written[name] == expected[name], name


def test_the_cells_read_back_as_written():
    sheet = load_workbook(BytesIO(workbook_bytes(whole_rows, RowSheet)))["表"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("E0000000001", None, datetime(2026, 10, 1))
    assert rows[0][6:] == (datetime(2026, 10, 3, 9, 30), 7, 2.5)
    assert rows[1] == (
        " leading",
        "trailing ",
        "'\tboth\n",
        "a & b < c > d",
        'say "hi"',
        "'=SUM(A1:A2)",
        "'-5",
        "'+1",
        "'@x",
    )
    assert rows[2][3:5] == ("😀 emoji", "多\n行")
    assert len(rows[2][5]) == 32_767  # a cell's limit
    assert rows[4][:4] == ("plain", "space at the end ", "办结", datetime(2026, 10, 1, 8, 30))


def test_text_that_looks_like_a_rich_text_run_is_escaped_like_any_text():
    """XlsxWriter would write "<r>…</r>" into the sheet's XML as it is; a resident's words must stay words."""
    file = BytesIO()
    workbook = Workbook(file, {"constant_memory": True})
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet("表", worksheet_class=RowSheet)
    whole_rows(styles, sheet, 0, ["<r>x</r>", "<r><t>a</t>"])
    workbook.close()
    assert load_workbook(file)["表"]["A1"].value == "<r>x</r>"


def test_rows_must_come_in_order_and_once():
    workbook = Workbook(BytesIO(), {"constant_memory": True})
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet("表", worksheet_class=RowSheet)
    whole_rows(styles, sheet, 2, ["a"])
    with pytest.raises(ValueError):
        whole_rows(styles, sheet, 1, ["b"])
    styles.write_row(sheet, 3, ["c"])
    with pytest.raises(ValueError):
        whole_rows(styles, sheet, 3, ["d"])
    workbook.close()


def test_a_workbook_not_in_constant_memory_mode_is_refused():
    workbook = Workbook(BytesIO())
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet("表", worksheet_class=RowSheet)
    with pytest.raises(ValueError):
        whole_rows(styles, sheet, 0, ["a"])
