"""What every kind of import shares: its columns, the checks of one row, and the plan for a batch of rows.

A kind checks a row in three steps. `clean` looks at the row alone (formats, checksums, required cells);
`prepare` looks up, in a few queries for the whole batch, what the batch refers to (villages, units, existing
records by their key); `resolve` turns a clean row into the model's values using those look-ups. The base then
compares with the existing record (matched by its key: 户号, code, username) and says whether the row is new,
changed (and which fields) or unchanged. The same plan serves the dry run, which only counts, and the write run,
which saves it; a batch is all that is ever held in memory, plus one small key per row seen, for duplicates.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import models

from jingshi_jiafang.core.models import Area, ImportRun, Unit, User


@dataclass(frozen=True)
class Column:
    key: str  # the name of the value in code
    header: str  # the header cell of the workbook
    help: str  # what goes in the column, on the template's 说明 sheet
    example: str  # the template's example row
    required: bool = True


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    # The columns whose cell Excel stored as a number, not as text: a long number has lost digits on the way.
    numbers: frozenset[str] = frozenset()

    def error(self, column: Column | str, message: str) -> None:
        self.errors.append((column.header if isinstance(column, Column) else column, message))


@dataclass
class Planned:
    """A good row and what writing it does: `instance` is new (no pk) or the existing record; `changes` maps
    each changed field to (old, new) as text for the history."""

    row: Row
    key: str
    instance: models.Model
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    ends: models.Model | None = None  # a link this row's new link takes over from

    @property
    def is_new(self) -> bool:
        return self.instance.pk is None


class FileState:
    """What a run remembers across batches: the first row of each key seen (duplicates in the file), and what
    each kind chooses to remember of its own (codes defined earlier in the same file)."""

    def __init__(self) -> None:
        self.first_row: dict[int, int] = {}
        self.extra: dict = {}

    def seen(self, what: str, value: str, row: int) -> int | None:
        """The row where `value` of `what` first appeared, or None (and it is remembered) when this is the first.
        Values are kept by their 64-bit hash, an int per value instead of its text: some 100 bytes a key, so a
        600,000-row household file keeps about 120 MB for its 户号 and ID numbers. (Two different values with the
        same hash would be reported as duplicates; at 10⁶ values the chance is about 1 in 10⁷.)"""
        token = hash((what, value))
        first = self.first_row.get(token)
        if first is None:
            self.first_row[token] = row
        return first


def text_of(value) -> str:
    """A cell as text: numbers without a trailing .0, dates as YYYY-MM-DD, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def field_text(value) -> str:
    """A model value as the history keeps it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


YES = {"是", "Y", "YES", "1", "TRUE"}
NO = {"否", "N", "NO", "0", "FALSE", ""}


class ImportKind:
    kind: str
    title: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key_column: str
    # Who may import this kind: a capability of core.capabilities.
    may: Callable[[User], bool]
    # Columns whose value must be unique in the file besides the key (a household's ID number).
    unique_columns: tuple[str, ...] = ()
    # Whether `write` saves row by row, in file order (a unit or area may be the parent of a later row).
    ordered = False
    note = ""  # a line on the upload page about this kind (what to import first)

    def __init__(self, actor: User | None = None):
        self.actor = actor  # who imports: a kind may refuse rows about the importer's own account

    def reference_sheets(self) -> list[tuple[str, list[str], Iterable[list[str]]]]:
        """Sheets of the codes a row refers to, as the system has them when the template is downloaded:
        (title, header, rows). Only small lists (units, areas), so the template stays a small file."""
        return []

    def row_key(self, row: Row) -> str:
        """What the report shows beside a row's number to find it: its 户号, code or username."""
        return row.values.get(self.key_column, "")

    @property
    def key_header(self) -> str:
        return self.column_map[self.key_column].header

    @property
    def column_map(self) -> dict[str, Column]:
        return {column.key: column for column in self.columns}

    # Checking.

    def clean_row(self, row: Row) -> None:
        """Required cells and formats, row by row; adds to `row.errors`."""
        for column in self.columns:
            if column.required and not row.values.get(column.key):
                row.error(column, f"{column.header}不能为空。")
        self.clean(row)

    def clean(self, row: Row) -> None:
        """The kind's own checks of one row."""

    def prepare(self, rows: list[Row], state: FileState) -> dict:
        """Look-ups for a batch of clean rows (a few queries, never one per row)."""
        return {}

    key_field = "code"  # the model field the key column matches

    def existing(self, keys: list[str]) -> dict[str, models.Model]:
        """The batch's existing records by key, in one query."""
        records = self.model.objects.filter(**{f"{self.key_field}__in": keys})
        return {getattr(record, self.key_field): record for record in records}

    def resolve(self, row: Row, context: dict, state: FileState) -> dict:
        """The model's values of a clean row, or errors on the row."""
        raise NotImplementedError

    def plan(self, rows: list[Row], state: FileState) -> list[Planned]:
        """The good rows of a batch and what writing each does; bad rows keep their errors."""
        for row in rows:
            self.clean_row(row)
            for column_key in (self.key_column, *self.unique_columns):
                value = row.values.get(column_key, "")
                if not value:
                    continue
                first = state.seen(column_key, value, row.number)
                if first is not None:
                    header = self.column_map[column_key].header
                    row.error(header, f"{header}与第{first}行重复。")
        clean = [row for row in rows if not row.errors]
        context = self.prepare(clean, state)
        existing = self.existing([row.values[self.key_column] for row in clean])
        planned = []
        for row in clean:
            values = self.resolve(row, context, state)
            if row.errors:
                continue
            key = row.values[self.key_column]
            record = existing.get(key)
            if record is None:
                planned.append(Planned(row, key, self.build(values)))
                continue
            changes = {
                name: (field_text(getattr(record, name)), field_text(value))
                for name, value in values.items()
                if getattr(record, name) != value
            }
            for name, value in values.items():
                setattr(record, name, value)
            planned.append(Planned(row, key, record, changes))
        return planned

    def build(self, values: dict) -> models.Model:
        return self.model(**values)

    # Writing.

    def write(self, planned: list[Planned], state: FileState) -> None:
        """Save a batch's new and changed records (inside the caller's transaction)."""
        new = [p.instance for p in planned if p.is_new]
        changed = [p for p in planned if not p.is_new and p.changes]
        if self.ordered:
            for item in planned:
                if item.is_new or item.changes:
                    self.save_in_order(item, state)
            return
        self.model.objects.bulk_create(new, batch_size=500)
        fields = sorted({name for p in changed for name in p.changes} | set(self.extra_update_fields(changed)))
        if changed:
            self.model.objects.bulk_update([p.instance for p in changed], fields, batch_size=500)

    def extra_update_fields(self, changed: list[Planned]) -> list[str]:
        return []

    def save_in_order(self, item: Planned, state: FileState) -> None:
        item.instance.save()


def yes_no(row: Row, column: Column) -> bool:
    value = row.values.get(column.key, "").upper()
    if value in YES:
        return True
    if value not in NO:
        row.error(column, f"{column.header}请填写“是”或“否”。")
    return False


def validated(row: Row, column: Column, validator) -> str:
    value = row.values.get(column.key, "")
    if value:
        try:
            validator(value)
        except ValidationError as error:
            row.error(column, error.messages[0])
    return value


def choice(row: Row, column: Column, choices) -> str:
    """A choice by its Chinese label (or its code)."""
    value = row.values.get(column.key, "")
    by_label = {label: code for code, label in choices}
    if value in by_label:
        return by_label[value]
    if value in dict(choices):
        return value
    if value:
        row.error(column, f"{column.header}“{value}”不是可选值:{'、'.join(by_label)}。")
    return ""


KIND = ImportRun.Kind


UNITS_SHEET = "单位代码"
AREAS_SHEET = "区划代码"


def units_sheet() -> tuple[str, list[str], Iterable[list[str]]]:
    rows = Unit.objects.select_related("parent").order_by("code")
    return (
        UNITS_SHEET,
        ["单位代码", "单位名称", "类型", "上级单位代码"],
        ([unit.code, unit.name, unit.get_kind_display(), unit.parent.code if unit.parent else ""] for unit in rows),
    )


def areas_sheet() -> tuple[str, list[str], Iterable[list[str]]]:
    rows = Area.objects.select_related("parent").order_by("code")
    return (
        AREAS_SHEET,
        ["区划代码", "名称", "类型", "所属镇/乡"],
        ([area.code, area.name, area.get_kind_display(), area.parent.name if area.parent else ""] for area in rows),
    )


def unit_code_problem(value: str, codes_by_name: dict[str, str]) -> str:
    """Why no unit has the code `value`: a unit's name written where its code goes is said so, with the code."""
    if value in codes_by_name:
        return f"“{value}”是单位名称,不是单位代码:该单位的代码是 {codes_by_name[value]},请填写代码。"
    if not value.isascii():
        return f"“{value}”像是单位名称:请填写单位代码(见模板中的“{UNITS_SHEET}”表)。"
    return f"没有代码为“{value}”的单位,请先导入单位。"
