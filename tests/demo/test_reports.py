"""The demo county gives the legal department a sensible report for last month: every town, most topics."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from jingshi_jiafang.core.models import Area
from jingshi_jiafang.reports.forms import last_month
from jingshi_jiafang.reports.monthly import monthly_report_write

pytestmark = pytest.mark.django_db


def test_last_months_report_of_the_demo_county_has_its_towns_and_topics():
    file = BytesIO()
    count = monthly_report_write(file, {"month": f"{last_month():%Y-%m}", "area": ""})
    workbook = load_workbook(file)
    rows = list(workbook["汇总"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "镇/乡")
    # The columns are the topics, then 未分类 while the month is not yet classified (early on the 1st), then 合计.
    header = rows[start]
    total_column = header.index("合计")
    topics = [topic for topic in header[1:total_column] if topic != "未分类"]
    by_town = {}
    for row in rows[start + 1 :]:
        by_town[row[0]] = dict(zip(header[1 : total_column + 1], row[1 : total_column + 1], strict=True))
        if row[0] == "合计":
            break
    assert set(by_town) == {*Area.objects.filter(kind="town").values_list("name", flat=True), "合计"}
    assert all(by_town[town]["合计"] > 0 for town in by_town)  # every town heard something
    # Most topics too (涉法涉诉 is rare: a small county can hear none of it in a month).
    assert len(topics) == 5 and sum(by_town["合计"][topic] > 0 for topic in topics) >= 4, by_town
    assert count == by_town["合计"]["合计"] == sum(workbook[name].max_row - 1 for name in workbook.sheetnames[1:])
    assert next(row[1] for row in rows if row[0] == "已办结") > 0
