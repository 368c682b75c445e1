"""Reading an uploaded workbook row by row (openpyxl read-only mode: one row in memory at a time), and writing
the template of a kind and the problems report (write-only mode)."""

from collections.abc import Iterable, Iterator
from typing import IO

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from jingshi_jiafang.core.exports import safe_cell
from jingshi_jiafang.core.models import ImportProblem

from .changes import ChangeLine
from .kinds.base import ImportKind, Row, text_of

DATA_SHEET = "数据"
HELP_SHEET = "说明"


class WorkbookError(Exception):
    """A file that is no workbook of this kind at all; the message says why, in words for the uploader."""


def read_rows(file: IO[bytes], kind: ImportKind) -> Iterator[Row]:
    """The data rows of the first sheet as `Row`s, numbered as the spreadsheet numbers them. Empty rows are
    passed over. The header row names the columns (in any order); a required column missing is a WorkbookError."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise WorkbookError("无法读取该文件:请上传 Excel 工作簿(.xlsx),可先下载模板填写。") from error
    try:
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise WorkbookError("工作表是空的:第1行应为表头。")
        by_header = {column.header: column.key for column in kind.columns}
        positions = {by_header[text_of(cell)]: index for index, cell in enumerate(header) if text_of(cell) in by_header}
        missing = [column.header for column in kind.columns if column.required and column.key not in positions]
        if missing:
            raise WorkbookError(f"表头缺少列:{'、'.join(missing)}。请使用“{kind.title}”的模板。")
        for number, cells in enumerate(rows, start=2):
            cell = {key: cells[index] if index < len(cells) else None for key, index in positions.items()}
            values = {key: text_of(value) for key, value in cell.items()}
            if any(values.values()):
                numbers = frozenset(key for key, value in cell.items() if _is_number(value))
                yield Row(number, values, numbers=numbers)
    finally:
        workbook.close()


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def write_template(file: IO[bytes], kind: ImportKind) -> None:
    """The header row and one example row, and a 说明 sheet explaining each column."""
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(DATA_SHEET)
    # Every column formatted as text: Excel would keep 15 digits of an ID number typed as a number, drop the
    # leading 0 of a code and turn 2026-01-01 into a date serial. Every value is read as text anyway.
    for index, column in enumerate(kind.columns, start=1):
        dimension = data.column_dimensions[get_column_letter(index)]
        dimension.number_format = "@"
        dimension.width = max(12, 2 * len(column.header) + 4, len(column.example) + 2)
    data.append([column.header for column in kind.columns])
    data.append([column.example for column in kind.columns])
    guide = workbook.create_sheet(HELP_SHEET)
    guide.append(["列", "必填", "说明", "示例"])
    for column in kind.columns:
        guide.append([column.header, "是" if column.required else "否", column.help, column.example])
    guide.append([])
    guide.append(["提示", "", "请删除示例行后填写;第1行表头不要改动。导入前系统会先逐行检查,确认后才写入。", ""])
    if kind.note:
        guide.append(["顺序", "", kind.note, ""])
    for title, header, rows in kind.reference_sheets():
        guide.append(["参考", "", f"“{title}”表列出下载模板时系统中已有的代码,填写时请照抄代码。", ""])
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
    workbook.save(file)


def write_problems(
    file: IO[bytes],
    problems: Iterable[ImportProblem],
    *,
    key_header: str,
    changes: Iterable[ChangeLine] = (),
    changes_title: str = "将更新",
) -> int:
    """The problems, row by row, and on a second sheet the values the import would change (or changed), masked
    as on the page."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("检查结果")
    sheet.append(["行号", key_header, "列", "问题"])
    count = 0
    for problem in problems:
        sheet.append(
            [problem.row_number, safe_cell(problem.record_key), safe_cell(problem.column), safe_cell(problem.message)]
        )
        count += 1
    changed = workbook.create_sheet(changes_title)
    changed.append(["行号", key_header, "字段", "原值", "新值"])
    for line in changes:
        changed.append(
            [line.row_number, safe_cell(line.record_key), line.label, safe_cell(line.old), safe_cell(line.new)]
        )
    workbook.save(file)
    return count


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
