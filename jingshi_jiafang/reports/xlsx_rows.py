"""A constant-memory XlsxWriter sheet that takes a long table a whole row at a time.

XlsxWriter writes a cell in three steps: it checks the cell's bounds and stores it as a tuple, and when the next
row begins it renders each stored cell attribute by attribute, escaping each. That is about 15 µs a cell, most of a
monthly workbook's time (100,000 matters × 17 columns). `RowSheet.write_typed_row` renders a row as one string and
appends it to the sheet's row file (constant-memory mode keeps one per sheet), byte for byte what XlsxWriter would
write for the same values and formats (tests/reports/test_xlsx_rows.py compares them), so the workbook is the same.
It relies on XlsxWriter's constant-memory internals (the row file, `previous_row`, the dimensions), which is why
XlsxWriter is pinned and the test compares the two writers' files whole.
"""

from collections.abc import Sequence
from datetime import date, datetime
from math import isinf, isnan

from xlsxwriter.format import Format
from xlsxwriter.utility import (
    _datetime_to_excel_datetime,
    _preserve_whitespace,
    _utf16_len,
    _utf16_truncate,
    xl_col_to_name,
)
from xlsxwriter.worksheet import Worksheet

from jingshi_jiafang.core.exports import FORMULA_PREFIXES, safe_cell

# Excel counts days from 1899-12-31 and believes 1900 had a 29 February: XlsxWriter adds that day to every
# moment after it. Moments before, and aware ones, go through XlsxWriter's own conversion.
_EPOCH = datetime(1899, 12, 31)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_LEAP_DAY_PAST = datetime(1900, 3, 1)
_LEAP_DAY_PAST_DATE = _LEAP_DAY_PAST.date()
_HALF_STRMAX = 32767 // 2  # below this many characters a string cannot exceed a cell's 32,767 UTF-16 units


class RowSheet(Worksheet):
    """A worksheet of a `Workbook(..., {"constant_memory": True})`, made with
    `workbook.add_worksheet(title, worksheet_class=RowSheet)`. Rows written with `write_typed_row` are final:
    nothing more may be written into them, and rows must come in order (as constant-memory mode asks anyway)."""

    def __init__(self):
        super().__init__()
        self._cell_columns: list[str] = []  # column letters, A, B, …

    def write_typed_row(self, row: int, values: Sequence, *, text: Format, day: Format, moment: Format) -> int:
        """Write `values` into row `row` (from 0) as `_Styles.write_row` does cell by cell: each by its type, text
        escaped so that it never reads as a formula, a blank (None or "") as an empty cell in the `text` format,
        a datetime in `moment`, a date in `day`, a number in `text`. Returns 0, or -1 if the row is beyond the
        sheet (its cells are dropped, as XlsxWriter drops them)."""
        if not self.constant_memory:
            raise ValueError("RowSheet needs a workbook in constant_memory mode.")
        if not values:
            return 0
        last = len(values) - 1
        if row < self.previous_row or (row == self.previous_row and self.table.get(row)):
            raise ValueError(f"Row {row} comes after rows already written (up to {self.previous_row}).")
        if self._check_dimensions(row, 0) or self._check_dimensions(row, last):
            return -1
        if row > self.previous_row:
            self._write_single_row(row)  # what XlsxWriter still holds of an earlier row (a header) goes first
        if row in self.row_info:
            raise ValueError(f"Row {row} has its own height or format; write it cell by cell.")
        columns = self._cell_columns
        while len(columns) <= last:
            columns.append(xl_col_to_name(len(columns)))
        number = str(row + 1)
        parts = [f'<row r="{number}">']
        append = parts.append
        text_index = None  # taken when first used, as XlsxWriter takes it: styles.xml numbers formats in that order
        # What XlsxWriter would change in a text: XML's &, < and >, what looks like its _xHHHH_ escapes, what
        # isprintable() refuses (control characters, non-characters, white space but the plain space), and a
        # plain space at either end (xml:space="preserve"). Looked for in the row's texts at once; a row with any
        # of it has each of its texts written the careful way, which leaves a text that needs nothing as it is.
        texts = "".join([value for value in values if value.__class__ is str])
        plain = (
            texts.isprintable()
            and "&" not in texts
            and "<" not in texts
            and ">" not in texts
            and "_x" not in texts
            and len(texts) <= _HALF_STRMAX
        )
        for letter, value in zip(columns, values, strict=False):
            if value.__class__ is str and value:
                if value.startswith(FORMULA_PREFIXES):
                    value = "'" + value
                if plain and value[0] != " " and value[-1] != " ":
                    preserve = ""
                else:
                    value, preserve = self._careful_text(value)
                if text_index is None:
                    text_index = text._get_xf_index()
                append(f'<c r="{letter}{number}" s="{text_index}" t="inlineStr"><is><t{preserve}>{value}</t></is></c>')
            elif value is None or value == "":
                if text_index is None:
                    text_index = text._get_xf_index()
                append(f'<c r="{letter}{number}" s="{text_index}"/>')
            elif isinstance(value, str):  # a str subclass (a choice's label): the text it is, the careful way
                value, preserve = self._careful_text(safe_cell(str(value)))
                if text_index is None:
                    text_index = text._get_xf_index()
                append(f'<c r="{letter}{number}" s="{text_index}" t="inlineStr"><is><t{preserve}>{value}</t></is></c>')
            elif value.__class__ is datetime and value.tzinfo is None and value >= _LEAP_DAY_PAST:
                # XlsxWriter's serial number, in its own arithmetic: days since 1899-12-31 and the day's fraction,
                # plus the day of Excel's 1900-02-29. Without its checks for the cases handled below.
                delta = value - _EPOCH
                serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400 + 1
                append(f'<c r="{letter}{number}" s="{moment._get_xf_index()}"><v>{serial:.16G}</v></c>')
            elif value.__class__ is date and value >= _LEAP_DAY_PAST_DATE:
                serial = float(value.toordinal() - _EPOCH_ORDINAL) + 1
                append(f'<c r="{letter}{number}" s="{day._get_xf_index()}"><v>{serial:.16G}</v></c>')
            elif isinstance(value, datetime | date):  # a datetime is a date too
                value = safe_cell(value)  # an aware datetime: local time, as a sheet has no zones
                style = moment if isinstance(value, datetime) else day
                serial = _datetime_to_excel_datetime(value, self.date_1904, self.remove_timezone)
                append(f'<c r="{letter}{number}" s="{style._get_xf_index()}"><v>{serial:.16G}</v></c>')
            else:
                if isnan(value) or isinf(value):
                    raise TypeError("A number cell cannot hold NaN or infinity.")
                if text_index is None:
                    text_index = text._get_xf_index()
                append(f'<c r="{letter}{number}" s="{text_index}"><v>{value:.16G}</v></c>')
        append("</row>")
        self.fh.write("".join(parts))
        return 0

    def _careful_text(self, value: str) -> tuple[str, str]:
        """A string as XlsxWriter writes it inline: cut to a cell's limit, control characters as _xHHHH_, XML
        characters escaped, white space at either end kept. Always escaped: XlsxWriter would write a string that
        looks like a rich-text run (`<r>…</r>`) unescaped, which a resident's words must never be."""
        if len(value) > _HALF_STRMAX and _utf16_len(value) > self.xls_strmax:
            value = _utf16_truncate(value, self.xls_strmax)
        value = self._escape_control_characters(value)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
        return self._escape_data(value), preserve
