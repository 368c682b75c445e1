import pytest
from playwright.sync_api import expect

from jingshi_jiafang.core.models import User
from tests.browser.conftest import enrol_second_factor, log_in, screenshot
from tests.core.factories import TEST_PASSWORD, UserFactory


@pytest.mark.django_db(transaction=True)
def test_system_administrator_keeps_reference_data_under_the_content_security_policy(
    live_server, desktop_page, station_a
):
    UserFactory(username="sysadmin", name="赵敏", role=User.Role.ADMIN, is_staff=True, unit=station_a.parent)
    page = desktop_page
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "sysadmin", TEST_PASSWORD)
    enrol_second_factor(page)
    page.get_by_role("link", name="基础数据管理").click()
    page.get_by_role("link", name="单位").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("link", name=station_a.code)).to_be_visible()
    screenshot(page, "admin-units")
    page.get_by_role("link", name=station_a.code).click()
    page.get_by_label("名称").fill("城东派出所(新址)")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("城东派出所(新址)").first).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.django_db(transaction=True)
def test_security_administrator_moves_a_user_to_another_unit_on_a_phone(live_server, phone_page, station_a, station_b):
    from playwright.sync_api import expect

    from jingshi_jiafang.core.models import AuditEntry

    UserFactory(username="secadmin", name="钱立", role=User.Role.SECURITY_ADMIN, unit=station_a.parent)
    officer = UserFactory(username="wanghy", name="王海燕", role=User.Role.OFFICER, unit=station_a)
    page = phone_page
    log_in(page, live_server, "secadmin", TEST_PASSWORD)
    enrol_second_factor(page)
    page.goto(f"{live_server.url}/security/users/{officer.pk}/")
    page.get_by_label("所属单位").select_option(label=station_b.name)
    page.get_by_role("button", name="保存单位").click()
    expect(page.get_by_text(f"已将王海燕调整到{station_b.name}")).to_be_visible()
    screenshot(page, "security-user-unit", full_page=True)
    officer.refresh_from_db()
    assert officer.unit == station_b
    assert AuditEntry.objects.filter(action="scope_changed", object_id=str(officer.pk)).exists()
