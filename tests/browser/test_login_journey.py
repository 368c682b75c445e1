import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import enrol_second_factor, log_in, log_out_on_phone, screenshot
from visits.demo import DEMO_USERS

ROLE_HEADINGS = {
    "admin": "基础数据",
    "leader": "我联系的镇(乡)",
    "cadre": "我联系的村(居)",
    "officer": "联系户",
    "duty": "说事厅待办",
    "station": "夜访安排",
    "legal": "全县概况",
    "evaluator": "全县概况",
    "secadmin": "角色与联系范围",
    "auditor": "审计日志",
}


@pytest.mark.django_db(transaction=True)
def test_each_demo_role_logs_in_and_sees_its_home_page(live_server, phone_page, settings):
    call_command("seed_demo", "--households", "600", "--days", "30", "--force")
    page = phone_page
    for username, role, name, _post in DEMO_USERS:
        log_in(page, live_server, username, settings.DEMO_PASSWORD)
        if role in settings.OTP_REQUIRED_ROLES:
            assert "/accounts/2fa/setup/" in page.url
            screenshot(page, f"otp-setup-{username}")
            enrol_second_factor(page)
        assert page.url == f"{live_server.url}/"
        expect(page.get_by_text(f"{name},您好")).to_be_visible()
        expect(page.locator("main").get_by_text(ROLE_HEADINGS[username]).first).to_be_visible()
        screenshot(page, f"home-{username}")
        log_out_on_phone(page, live_server)


@pytest.mark.django_db(transaction=True)
def test_officer_finds_a_household_on_a_phone(live_server, phone_page, settings):
    call_command("seed_demo", "--households", "600", "--days", "30", "--force")
    page = phone_page
    log_in(page, live_server, "officer", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="我的联系户").last.click()
    screenshot(page, "officer-household-list")
    first_row_name = page.get_by_test_id("household-link").locator("strong").first.inner_text()
    page.get_by_label("搜索").fill(first_row_name)
    page.get_by_role("button", name="查询").click()
    page.get_by_test_id("household-link").filter(has_text=first_row_name).first.click()
    expect(page.get_by_role("heading", name=f"{first_row_name}户")).to_be_visible()
    screenshot(page, "officer-household-detail")


def test_wrong_password_is_refused_in_chinese(live_server, phone_page, db):
    log_in(phone_page, live_server, "nobody", "wrong-password-1")
    expect(phone_page.get_by_text("请输入一个正确的")).to_be_visible()
    screenshot(phone_page, "login-refused")
