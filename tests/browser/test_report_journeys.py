"""The legal department on a phone: starts last month's categorised report from its page, waits on 我的导出 for
the download link, downloads the workbook; the test opens it and checks its sheets, frozen headers and totals."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from feedback.models import TopicMonth
from jingshi_jiafang.core.models import ExportJob, User
from jingshi_jiafang.reports.forms import last_month
from tests.browser.conftest import log_in, open_menu_item, screenshot
from tests.core.factories import TEST_PASSWORD, HouseholdFactory, UserFactory
from tests.reports.helpers import matter, moment

TOPICS = ["治安防范", "执法服务", "队伍建设", "涉法涉诉", "其他"]


@pytest.mark.django_db(transaction=True)
def test_legal_downloads_last_months_categorised_report(live_server, phone_page, village_a, village_b):
    legal = UserFactory(username="fazhi", name="法制大队", role=User.Role.LEGAL)
    east, west = HouseholdFactory(village=village_a), HouseholdFactory(village=village_b)
    for day, household, category in [(2, east, "public_security"), (4, east, "public_security"), (6, west, "other")]:
        matter(at=moment(day), household=household, category=category, content="晚上村口有人飙车,很吓人")
    matter(at=moment(8), household=west, category="litigation", state="closed", deadline=moment(20))
    TopicMonth.objects.create(month=last_month(), closed_by=legal, matters=4)  # the categories are final

    page = phone_page
    log_in(page, live_server, "fazhi", TEST_PASSWORD)
    open_menu_item(page, "月度分类报表")
    expect(page.get_by_role("heading", name="月度分类报表")).to_be_visible()
    expect(page.get_by_test_id("report-total")).to_have_text("4")
    screenshot(page, "monthly-report-page", full_page=True)

    page.get_by_role("button", name="生成报表").click()
    expect(page.get_by_role("heading", name="我的导出")).to_be_visible()
    expect(page.get_by_text("正在生成")).to_be_visible()
    job = page.get_by_test_id("export-job").first
    expect(job.get_by_role("link", name="下载 Excel")).to_be_visible()
    screenshot(page, "monthly-report-ready", full_page=True)
    with page.expect_download() as download:
        job.get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename == f"月度分类报表-{last_month():%Y年%m月}.xlsx"

    with open(download.value.path(), "rb") as file:
        workbook = load_workbook(file)
    assert workbook.sheetnames == ["汇总", *TOPICS]
    assert all(workbook[name].freeze_panes == "A2" for name in TOPICS)
    listed = {name: workbook[name].max_row - 1 for name in TOPICS}
    assert listed == {"治安防范": 2, "执法服务": 0, "队伍建设": 0, "涉法涉诉": 1, "其他": 1}
    summary = list(workbook["汇总"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(summary) if row[0] == "镇/乡")
    totals = next(row for row in summary[header:] if row[0] == "合计")
    assert list(totals[1:7]) == [2, 0, 0, 1, 1, 4] == [*listed.values(), sum(listed.values())]
    assert ExportJob.objects.get().row_count == 4
