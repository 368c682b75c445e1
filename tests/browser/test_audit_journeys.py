"""The auditor on a phone: a large audit-log export is written in the background and downloaded from 我的导出;
the page says when the nightly full verification of the chain has not run, and no longer once the auditor checked
it."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.models import ExportJob, User
from tests.browser.conftest import enrol_second_factor, log_in, screenshot
from tests.core.factories import TEST_PASSWORD, UserFactory


@pytest.mark.django_db(transaction=True)
def test_auditor_exports_a_large_log_in_the_background_and_downloads_it(live_server, phone_page, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 5
    UserFactory(username="shenji", name="审计员", role=User.Role.AUDITOR)
    for n in range(12):
        audit_record(action=Action.LOGIN_FAILED, actor_username=f"guess{n}")
    page = phone_page
    log_in(page, live_server, "shenji", TEST_PASSWORD)
    enrol_second_factor(page)
    page.goto(f"{live_server.url}/audit/")
    expect(page.get_by_test_id("full-verification-alert")).to_contain_text("还没有完整校验过")
    screenshot(page, "audit-log-unverified")
    # Checked by the button: the page no longer says it was never verified.
    page.get_by_role("link", name="校验哈希链").click()
    expect(page.get_by_test_id("chain-report")).to_contain_text("已校验全部")
    expect(page.get_by_test_id("full-verification-alert")).to_have_count(0)
    expect(page.get_by_test_id("full-verification")).to_contain_text("哈希链完整")
    screenshot(page, "audit-log-verified")
    page.goto(f"{live_server.url}/audit/")

    page.get_by_role("link", name="导出 Excel").click()
    expect(page.get_by_role("heading", name="我的导出")).to_be_visible()
    expect(page.get_by_text("正在后台生成 Excel")).to_be_visible()
    job = page.get_by_test_id("export-job").first
    expect(job.get_by_role("link", name="下载 Excel")).to_be_visible()
    screenshot(page, "export-jobs-ready")
    with page.expect_download() as download:
        job.get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename.startswith("审计日志-")
    with open(download.value.path(), "rb") as file:
        rows = list(load_workbook(file, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) - 1 == ExportJob.objects.get().row_count >= 12
