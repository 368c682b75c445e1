"""Issue 4's journeys: an officer at the door on a phone, and a station head's night-visit plan."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import Matter
from tests.browser.conftest import log_in, screenshot
from tests.core.factories import TEST_PASSWORD, HouseholdFactory, HouseholdLinkFactory, UserFactory
from visits.models import NightVisitPlan, RegistrationCorrection, Visit
from visits.night import is_night_date, week_start, window_text


def last_night_visit_evening() -> datetime:
    """Half an hour into the window of the last night-visit evening before today, as the settings say."""
    day = timezone.localdate() - timedelta(days=1)
    while not is_night_date(day):
        day -= timedelta(days=1)
    start = datetime.combine(day, time.fromisoformat(settings.NIGHT_VISIT_START))
    return start + timedelta(minutes=30)


@pytest.mark.django_db(transaction=True)
def test_officer_logs_a_day_visit_on_a_phone(live_server, phone_page, village_a):
    officer = UserFactory(username="haiyan", name="王海燕", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="李春梅", address="东湖村2组15号", members_count=4)
    HouseholdLinkFactory(officer=officer, household=household)
    page = phone_page
    log_in(page, live_server, "haiyan", TEST_PASSWORD)

    page.get_by_role("link", name="我的联系户").last.click()
    page.get_by_test_id("household-link").filter(has_text="李春梅").first.click()
    page.get_by_role("link", name="记录走访").click()
    page.get_by_label("见到的人").fill("户主及其丈夫")
    page.get_by_label("住址").fill("东湖村2组16号")
    page.get_by_label("家庭人口").fill("5")
    page.get_by_label("诉求(每行一条)").fill("村口路灯坏了,晚上看不见路\n孩子上户口需要什么材料")
    page.get_by_label("矛盾纠纷").fill("与邻居因排水沟有争执")
    page.get_by_label("已当场调解").check()
    screenshot(page, "visit-form-filled", full_page=True)
    page.get_by_role("button", name="保存走访").click()

    expect(page.get_by_text("走访已记录,已写入民情日记。")).to_be_visible()
    visit = Visit.objects.get()
    assert RegistrationCorrection.objects.filter(visit=visit).count() == 2
    assert Matter.objects.filter(visit=visit).count() == 2
    screenshot(page, "visit-saved")

    page.get_by_role("link", name="民情日记").last.click()
    expect(page.get_by_text("与邻居因排水沟有争执")).to_be_visible()
    expect(page.get_by_text("村口路灯坏了,晚上看不见路").first).to_be_visible()
    screenshot(page, "diary")

    page.goto(f"{live_server.url}{household.get_absolute_url()}")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_text("住址 东湖村2组15号 → 东湖村2组16号")).to_be_visible()
    screenshot(page, "household-timeline", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_night_visit_plan_log_refusal_and_compliance(
    live_server, desktop_page, phone_page, village_a, station_a, settings
):
    # A county whose evenings are not the source county's: the journey reads the window from the settings.
    settings.NIGHT_VISIT_WEEKDAYS, settings.NIGHT_VISIT_START, settings.NIGHT_VISIT_END = [1, 3, 5], "19:30", "20:30"
    # The last night-visit evening can be three days back (Saturday, seen on a Tuesday): allow entering it late.
    settings.VISIT_LATE_ENTRY_HOURS = 4 * 24
    head = UserFactory(username="suozhang", name="韩立", unit=station_a, is_unit_head=True)
    officer = UserFactory(username="yefang", name="赵夜访", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="周大伯")
    HouseholdLinkFactory(officer=officer, household=household)

    # The station head plans the next night-visit evening, and the past one the officer is about to log.
    page = desktop_page
    log_in(page, live_server, "suozhang", TEST_PASSWORD)
    page.goto(f"{live_server.url}/night/plans/")
    page.get_by_label("民警").select_option(label="赵夜访")
    page.get_by_label("村/居").select_option(label=f"{village_a.parent.name} · {village_a.name}")
    page.get_by_role("button", name="安排").click()
    expect(page.get_by_text("已安排赵夜访")).to_be_visible()
    screenshot(page, "night-plan")
    evening = last_night_visit_evening()
    NightVisitPlan.objects.create(
        officer=officer, village=village_a, date=evening.date(), unit=station_a, planned_by=head
    )

    # The officer logs the visit: first with a time outside the window, then inside it.
    phone = phone_page
    log_in(phone, live_server, "yefang", TEST_PASSWORD)
    phone.goto(f"{live_server.url}/households/{household.pk}/visits/new/")
    phone.get_by_label("家访类型").select_option("day")
    expect(phone.get_by_test_id("night-talk")).to_be_hidden()  # a day visit has no night talk to tick
    phone.get_by_label("家访类型").select_option("night")
    expect(phone.get_by_label("讲政策")).to_be_visible()
    phone.get_by_label("见到的人").fill("周大伯")
    phone.get_by_label("走访时间").fill((evening - timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_role("button", name="保存走访").click()
    # Named at the top with a link to the field, and under the field itself.
    expect(phone.get_by_role("link", name=f"家访类型:夜访须在{window_text()}开始")).to_be_visible()
    expect(phone.locator(".invalid-feedback", has_text=f"夜访须在{window_text()}开始")).to_be_visible()
    assert phone.get_by_label("见到的人").input_value() == "周大伯"
    screenshot(phone, "night-visit-refused")
    phone.get_by_label("走访时间").fill(evening.strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_label("讲政策").check()
    phone.get_by_role("button", name="保存走访").click()
    expect(phone.get_by_text("走访已记录")).to_be_visible()

    # The compliance page counts the kept evening.
    page.goto(f"{live_server.url}/night/compliance/?week={week_start(evening.date()).isoformat()}")
    totals = page.get_by_test_id("night-totals")
    expect(totals.get_by_text("已走访")).to_be_visible()
    assert page.get_by_text("已走访", exact=True).count() >= 2  # the total's label and the kept row's badge
    screenshot(page, "night-compliance")


@pytest.mark.django_db(transaction=True)
def test_officer_corrects_registration_on_a_360px_phone_and_sees_what_the_visit_created(
    live_server, browser, village_a
):
    from feedback.services import card_batch_issue
    from tests.core.factories import valid_id_number
    from visits import services

    officer = UserFactory(username="xiaoli", name="李晓", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="孙秀英", phone="16908344324")
    HouseholdLinkFactory(officer=officer, household=household)
    services.visit_log(
        visitor=officer,
        household=household,
        submission_key=uuid.uuid4(),
        details={"kind": "day", "visited_at": timezone.now() - timedelta(hours=3), "people_met": "户主本人"},
        facts={},
        corrections=[services.CorrectionInput("ethnicity", "回")],
    )
    head = UserFactory(unit=village_a.unit, is_unit_head=True)
    card = card_batch_issue(unit=village_a.unit, count=1, actor=head).cards.get()
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "xiaoli", TEST_PASSWORD)

    page.goto(f"{live_server.url}/households/{household.pk}/visits/new/")
    # The form fits the phone: nothing wider than the screen, the date-time input included.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    when = page.get_by_label("走访时间").bounding_box()
    assert when["x"] >= 0 and when["x"] + when["width"] <= 360 and when["width"] >= 200
    screenshot(page, "visit-form-360-top")
    page.get_by_label("见到的人").fill("户主本人")
    page.get_by_label("联系电话").fill("13700001111")
    page.get_by_label("诉求(每行一条)").fill("希望村口装监控")
    page.get_by_label("破案线索").fill("有陌生车辆夜间在村里转悠")
    page.get_by_text("其他户籍项目整改").click()
    items = page.get_by_test_id("registration-items")
    expect(items.get_by_text("当前:回")).to_be_visible()
    expect(items.get_by_text(f"当前:{household.head_id_number[:4]}")).to_be_visible()  # masked ID number
    page.get_by_label("户主身份证号").fill("321322196001010011")  # wrong check digit
    page.get_by_role("button", name="保存走访").click()
    # The page says at its top that nothing was saved, and the summary's link leads to the field.
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_in_viewport()
    screenshot(page, "visit-form-360-refused-top")
    summary.get_by_role("link", name="户主身份证号:身份证号码校验位不正确,请核对后重新输入。").click()
    expect(page.get_by_label("户主身份证号")).to_be_in_viewport()
    screenshot(page, "visit-form-360-refused")
    new_id = valid_id_number(12_345)
    page.get_by_label("户主身份证号").fill(new_id)
    page.get_by_label("民族").fill("汉")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_text("走访已记录,已写入民情日记。")).to_be_visible()

    # The visit page shows what the visit created, the phone masked.
    page.get_by_role("link", name="发放回音卡").click()
    page.get_by_label("从本单位库存中选择").select_option(card.number)
    page.get_by_role("button", name="登记发放").click()
    expect(page.get_by_test_id("visit-cards").get_by_text(card.number)).to_be_visible()
    corrections = page.get_by_test_id("visit-corrections")
    expect(corrections.get_by_text("联系电话 169****4324 → 137****1111")).to_be_visible()
    expect(corrections.get_by_text("民族 回 → 汉")).to_be_visible()
    assert "13700001111" not in page.content() and new_id not in page.content()
    expect(page.get_by_test_id("visit-findings").get_by_text("有陌生车辆夜间在村里转悠")).to_be_visible()
    matter_link = page.get_by_test_id("visit-matters").get_by_role("link", name="希望村口装监控")
    expect(matter_link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "visit-page-360")
    page.get_by_role("link", name="该户时间线").scroll_into_view_if_needed()
    screenshot(page, "visit-page-360-cards")
    matter_link.click()
    expect(page.get_by_text("希望村口装监控").first).to_be_visible()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_back_and_save_again_after_a_visit_records_it_once(live_server, phone_page, village_a):
    officer = UserFactory(username="haiyan", name="王海燕", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="李春梅")
    HouseholdLinkFactory(officer=officer, household=household)
    page = phone_page
    log_in(page, live_server, "haiyan", TEST_PASSWORD)
    page.goto(f"{live_server.url}{household.get_absolute_url()}")
    page.get_by_role("link", name="记录走访").click()
    page.get_by_label("见到的人").fill("户主本人")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_text("走访已记录,已写入民情日记。")).to_be_visible()

    # 后退 shows the form as it was sent, typed fields and all: saving it again is the same visit.
    page.go_back()
    expect(page.get_by_label("见到的人")).to_have_value("户主本人")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_text("这次走访已经保存过,没有重复记录。")).to_be_visible()
    assert Visit.objects.count() == 1
    screenshot(page, "visit-saved-again-after-back")
