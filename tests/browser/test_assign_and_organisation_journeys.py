"""Issue 14's journeys: a station head assigns the unlinked households of a village; an officer, on a phone, logs a
visit to an organisation (单位) linked to her."""

import pytest
from playwright.sync_api import expect

from jingshi_jiafang.core.models import AuditEntry, HouseholdLink
from tests.browser.conftest import log_in, open_menu_item, screenshot
from tests.core.factories import (
    TEST_PASSWORD,
    HouseholdFactory,
    HouseholdLinkFactory,
    OrganisationFactory,
    OrganisationLinkFactory,
    UserFactory,
)
from visits.models import Visit


@pytest.mark.django_db(transaction=True)
def test_station_head_assigns_the_unlinked_households_of_a_village(live_server, phone_page, station_a, village_a):
    UserFactory(username="suozhang", name="韩立", unit=station_a, is_unit_head=True)
    officer = UserFactory(username="xiaowang", name="王小明", unit=village_a.unit)
    linked = HouseholdFactory(village=village_a, head_name="已联系户")
    HouseholdLinkFactory(household=linked, officer=officer)
    names = ["陈一", "陈二", "陈三", "陈四"]
    households = [HouseholdFactory(village=village_a, head_name=name) for name in names]

    page = phone_page
    log_in(page, live_server, "suozhang", TEST_PASSWORD)
    open_menu_item(page, "未分配住户")
    expect(page.get_by_test_id("unlinked-total")).to_have_text("4")
    screenshot(page, "unlinked-villages")
    page.get_by_role("link", name="东湖村").click()
    expect(page.get_by_text("陈三户")).to_be_visible()
    expect(page.get_by_text("已联系户户")).to_have_count(0)

    # First a ticked pair, with a confirmation that names the count and the officer.
    page.get_by_label("责任民警").select_option(label=f"王小明({village_a.unit})")
    page.get_by_label("仅下面勾选的户").check()
    page.get_by_label("勾选陈一户").check()
    page.get_by_label("勾选陈二户").check()
    screenshot(page, "unlinked-village-ticked", full_page=True)
    page.get_by_role("button", name="下一步:确认分配").click()
    expect(page.get_by_test_id("assign-summary")).to_contain_text("2 户分配给 王小明")
    assert not HouseholdLink.objects.filter(household__in=households).exists()
    screenshot(page, "unlinked-confirm")
    page.get_by_role("button", name="确认分配 2 户").click()
    expect(page.get_by_text("已将东湖村 2 户分配给王小明。")).to_be_visible()
    expect(page.get_by_test_id("unlinked-total")).to_have_text("2")

    # Then the rest of the village at once.
    page.get_by_role("link", name="东湖村").click()
    page.get_by_label("责任民警").select_option(label=f"王小明({village_a.unit})")
    page.get_by_role("button", name="下一步:确认分配").click()
    page.get_by_role("button", name="确认分配 2 户").click()
    expect(page.get_by_text("本单位辖区内的每一户都已有责任民警")).to_be_visible()
    screenshot(page, "unlinked-all-assigned")
    assert HouseholdLink.objects.active().filter(officer=officer).count() == 5
    assert AuditEntry.objects.filter(detail__change="bulk_assign").count() == 2


@pytest.mark.django_db(transaction=True)
def test_officer_logs_a_visit_to_an_organisation_on_a_phone(live_server, phone_page, village_a):
    officer = UserFactory(username="haiyan", name="王海燕", unit=village_a.unit)
    school = OrganisationFactory(
        village=village_a, name="东湖小学", address="东湖村3组", contact_name="王校长", phone="13800001111"
    )
    OrganisationLinkFactory(officer=officer, organisation=school)

    page = phone_page
    log_in(page, live_server, "haiyan", TEST_PASSWORD)
    open_menu_item(page, "联系单位")
    expect(page.get_by_test_id("organisation-link").filter(has_text="东湖小学")).to_contain_text("从未走访")
    screenshot(page, "organisation-list")
    page.get_by_test_id("organisation-link").filter(has_text="东湖小学").click()
    expect(page.get_by_text("138****1111")).to_be_visible()
    page.get_by_role("link", name="记录走访").click()
    page.get_by_label("见到的人").fill("王校长、保卫科长")
    page.get_by_label("意见建议").fill("放学时段校门口车多,希望加强疏导")
    page.get_by_label("诉求(每行一条)").fill("校门口路灯不亮")
    page.get_by_label("破案线索").fill("有人在校门口兜售来路不明的电动车")
    screenshot(page, "organisation-visit-form", full_page=True)
    page.get_by_role("button", name="保存走访").click()

    expect(page.get_by_text("走访已记录,已写入民情日记。")).to_be_visible()
    visit = Visit.objects.get()
    assert visit.organisation == school and visit.household is None
    screenshot(page, "organisation-visit-saved", full_page=True)

    open_menu_item(page, "民情日记")
    expect(page.get_by_text("东湖小学")).to_be_visible()
    expect(page.get_by_text("有人在校门口兜售来路不明的电动车")).to_be_visible()
    screenshot(page, "organisation-diary")

    page.get_by_role("link", name="东湖小学").click()
    page.get_by_role("link", name="该单位走访记录").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("见到 王校长、保卫科长")
    screenshot(page, "organisation-timeline", full_page=True)
