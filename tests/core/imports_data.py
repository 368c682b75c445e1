"""Workbooks for import tests, built in the test (no binary fixtures): a header row as the template has it and
the rows given, in the order given."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jingshi_jiafang.core.imports.kinds import import_kind
from tests.core.factories import valid_id_number


def workbook_bytes(kind: str, rows: list[dict], *, headers: list[str] | None = None) -> bytes:
    """`rows` are dicts by column key (`registration_number`, `head_name`, …); missing keys are empty cells."""
    columns = import_kind(kind).columns
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    sheet.append(headers or [column.header for column in columns])
    for row in rows:
        sheet.append([row.get(column.key, "") for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(kind: str, rows: list[dict], name: str | None = None, **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or f"{kind}.xlsx", workbook_bytes(kind, rows, **kwargs))


def household_row(n: int, village_code: str, **overrides) -> dict:
    """A good household row number `n` (户号 3213220 + n)."""
    return {
        "registration_number": f"3213220{n:06d}",
        "head_name": f"户主{n}",
        "head_id_number": valid_id_number(500_000 + n),
        "village_code": village_code,
        "address": f"{n}号",
        "phone": f"139{n:08d}",
        "members_count": 1 + n % 6,
        "is_hardship": "否",
        **overrides,
    }


def household_rows(count: int, village_code: str, start: int = 1) -> list[dict]:
    return [household_row(n, village_code) for n in range(start, start + count)]


def bad_checksum(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")
