"""Issue #8 ("what a week at a station found"), walked again on a 360px phone: a hand-over that leaves the old
officer's visit honest, the station head's own area, forms that say at the top what was refused, the night plan
opening on the coming week, and pages that fit the screen."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.core.factories import TEST_PASSWORD, HouseholdFactory, HouseholdLinkFactory, UserFactory
from tests.visits.factories import NightVisitPlanFactory
from visits import services
from visits.night import is_night_date, next_night_date

WIDTH = 360


@pytest.fixture
def narrow_page(browser):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 780}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


@pytest.fixture
def station(village_a, station_a):
    head = UserFactory(username="suozhang", name="韩立", unit=station_a, is_unit_head=True)
    officer = UserFactory(username="haiyan", name="王海燕", unit=village_a.unit)
    successor = UserFactory(username="hufeng", name="胡峰", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="梁忠")
    HouseholdLinkFactory(officer=officer, household=household)
    for n in range(6):  # never visited, linked to nobody: the head's own area
        HouseholdFactory(village=village_a, head_name=f"未联系{n}")
    return head, officer, successor, household


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_leaves_the_old_officers_visit_honest(live_server, browser, narrow_page, station):
    head, officer, successor, household = station
    visit, _ = services.visit_log(
        visitor=officer,
        household=household,
        submission_key=uuid.uuid4(),
        details={"kind": "day", "visited_at": timezone.now() - timedelta(hours=1), "people_met": "户主本人"},
        facts={"address": "陈墩居委会1组3号"},
        corrections=[services.CorrectionInput("ethnicity", "汉"), services.CorrectionInput("education", "高中")],
    )

    # The station head re-assigns the household with the form's default date (today); first a refused date.
    page = narrow_page
    log_in(page, live_server, "suozhang", TEST_PASSWORD)
    page.goto(f"{live_server.url}{household.get_absolute_url()}")
    page.get_by_label("新的责任民警").select_option(label=f"胡峰({successor.unit})")
    page.get_by_label("自何日起").fill(household.links.get().start_date.isoformat())
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="调整").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("责任民警没有调整")
    screenshot(page, "r2-assign-refused-summary")
    fits(page)
    # Reloading the refused form's address lands on the household page, not an empty 405.
    page.goto(f"{live_server.url}/households/{household.pk}/officer/")
    expect(page.get_by_role("heading", name="梁忠户")).to_be_visible()
    page.get_by_label("新的责任民警").select_option(label=f"胡峰({successor.unit})")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="调整").click()
    expect(page.get_by_text("已将梁忠户的责任民警调整为胡峰")).to_be_visible()

    # On the hand-over day the old officer's visit keeps its corrections and its links.
    officer_page = browser.new_context(
        viewport={"width": WIDTH, "height": 780}, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    ).new_page()
    log_in(officer_page, live_server, "haiyan", TEST_PASSWORD)
    officer_page.goto(f"{live_server.url}{visit.get_absolute_url()}")
    expect(officer_page.get_by_test_id("visit-corrections").get_by_text("民族 (空) → 汉")).to_be_visible()
    expect(officer_page.get_by_role("link", name="打印警民联系卡")).to_be_visible()
    screenshot(officer_page, "r2-visit-hand-over-day", full_page=True)

    # The next day her link has ended: the page says the corrections are hidden and links nowhere it cannot open.
    household.links.filter(officer=officer).update(end_date=timezone.localdate() - timedelta(days=1))
    officer_page.reload()
    expect(officer_page.get_by_test_id("corrections-hidden")).to_contain_text("该户已不在您的联系范围")
    expect(officer_page.get_by_test_id("corrections-hidden")).to_contain_text("整改了 3 项")
    expect(officer_page.get_by_role("link", name="打印警民联系卡")).to_have_count(0)
    expect(officer_page.get_by_role("link", name="该户时间线")).to_have_count(0)
    fits(officer_page)
    screenshot(officer_page, "r2-visit-after-hand-over", full_page=True)
    officer_page.get_by_role("link", name="民情日记").click()
    expect(officer_page.get_by_test_id("corrections-hidden")).to_contain_text("3 项")
    screenshot(officer_page, "r2-diary-after-hand-over")
    officer_page.context.close()


@pytest.mark.django_db(transaction=True)
def test_station_head_works_his_area_on_a_360px_phone(live_server, narrow_page, station, village_a, settings):
    head, officer, successor, household = station
    last_evening = timezone.localdate() - timedelta(days=1)
    while not is_night_date(last_evening):
        last_evening -= timedelta(days=1)
    NightVisitPlanFactory(officer=officer, village=village_a, date=last_evening, planned_by=head)
    page = narrow_page
    log_in(page, live_server, "suozhang", TEST_PASSWORD)

    # One role label beside the unit.
    expect(page.get_by_test_id("who")).to_have_text(f"{head.unit} · 派出所所长")
    screenshot(page, "r2-station-home")
    # The count of households due a visit and the list it opens agree.
    due = page.get_by_test_id("todo-due_households")
    count = due.get_by_test_id("todo-count").inner_text()
    due.get_by_role("link", name=f"查看全部 {count} 项").click()
    expect(page.get_by_test_id("household-count")).to_have_text(f"共 {count} 户")
    # His area is his: no outside-links tab, and a visit needs no reason.
    expect(page.get_by_text("范围外走访")).to_have_count(0)
    expect(page.get_by_label("电话")).to_have_attribute("type", "tel")
    fits(page)
    screenshot(page, "r2-station-households-due")
    page.goto(f"{live_server.url}{household.get_absolute_url()}")
    page.get_by_role("link", name="记录走访").click()
    expect(page.get_by_label("走访理由")).to_have_count(0)
    expect(page.get_by_label("已核对基本情况")).not_to_be_checked()
    page.get_by_role("button", name="保存走访").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link", name="见到的人:请填写,如:户主本人、其妻子。")).to_be_visible()
    screenshot(page, "r2-visit-refused-summary")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("见到的人")).to_be_in_viewport()
    page.get_by_label("见到的人").fill("户主本人")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_text("走访已记录")).to_be_visible()
    expect(page.get_by_text("联系范围外")).to_have_count(0)

    # The night plan opens on the week of the next night-visit evening.
    page.goto(f"{live_server.url}/night/plans/")
    monday = next_night_date(timezone.localdate()) - timedelta(days=next_night_date(timezone.localdate()).weekday())
    expect(page.get_by_text(f"{monday.month}月{monday.day}日 起的一周")).to_be_visible()
    screenshot(page, "r2-night-plans-top")

    # Tables become cards on a phone; the diary's buttons stay on one line.
    page.goto(f"{live_server.url}/coverage/")
    expect(page.get_by_test_id("coverage-cards")).to_be_visible()
    fits(page)
    screenshot(page, "r2-coverage", full_page=True)
    page.goto(f"{live_server.url}/night/compliance/?week={last_evening.isoformat()}")
    expect(page.get_by_test_id("night-cards").get_by_text("王海燕")).to_be_visible()
    fits(page)
    screenshot(page, "r2-night-compliance", full_page=True)
    page.goto(f"{live_server.url}/diary/")
    button = page.get_by_role("button", name="筛选").bounding_box()
    assert button["width"] > button["height"], button  # 筛选 on one line, not one character per line
    fits(page)
    screenshot(page, "r2-diary-top")
