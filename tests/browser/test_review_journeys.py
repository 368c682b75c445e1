"""Issue #12's daily notice (每日通报): it renders for a leader on a desktop, prints on A4 without the menu and
the buttons, and reads on a phone; an evaluator rebuilds it after confirming."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.services.reviews import daily_review_build
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.models import User
from tests.browser.conftest import SCREENSHOTS, enrol_second_factor, log_in, open_menu_item, screenshot
from tests.core.factories import TEST_PASSWORD, HouseholdFactory, UserFactory
from tests.evaluation.factories import VisitCallbackFactory, called_back
from tests.visits.factories import NightVisitPlanFactory, VisitFactory
from visits.models import Visit


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def a_day_of_work(village_a, village_b, station_a, day):
    room_a, room_b = village_a.unit, village_b.unit
    room_a.name, room_b.name = "东湖中心警务室", "西湖中心警务室"
    room_a.save()
    room_b.save()
    wang = UserFactory(name="王海燕", unit=room_a)
    li = UserFactory(name="李明", unit=room_b)
    head = UserFactory(name="韩立", unit=station_a, is_unit_head=True)
    evaluator = UserFactory(username="pingjia", name="评价员", role=User.Role.EVALUATOR)
    for hour in (9, 10, 15):
        VisitFactory(visitor=wang, household=HouseholdFactory(village=village_a), visited_at=at(day, hour))
    night = at(day, 20)
    VisitFactory(
        visitor=wang,
        household=HouseholdFactory(village=village_a),
        kind=Visit.Kind.NIGHT,
        visited_at=night,
        created_at=night,
    )
    NightVisitPlanFactory(officer=wang, village=village_a, date=day, planned_by=head)
    NightVisitPlanFactory(officer=li, village=village_b, date=day, planned_by=head)
    before = day - timedelta(days=1)
    for hour, satisfaction in ((9, "satisfied"), (10, "satisfied"), (11, "fairly_satisfied")):
        visit = VisitFactory(visitor=wang, household=HouseholdFactory(village=village_a), visited_at=at(before, hour))
        called_back(
            VisitCallbackFactory(visit=visit),
            day=day,
            caller=evaluator,
            visit_check="confirmed",
            satisfaction=satisfaction,
        )
    denied = VisitFactory(visitor=li, household=HouseholdFactory(village=village_b), visited_at=at(before, 14))
    called_back(VisitCallbackFactory(visit=denied), day=day, caller=evaluator, visit_check="denied")
    return evaluator


@pytest.mark.django_db(transaction=True)
def test_the_daily_notice_renders_for_a_leader_and_prints_on_a4(
    live_server, desktop_page, village_a, village_b, station_a
):
    day = timezone.localdate() - timedelta(days=1)
    a_day_of_work(village_a, village_b, station_a, day)
    daily_review_build(day=day, actor=system_actor())
    UserFactory(username="juzhang", name="局领导", role=User.Role.LEADER)
    page = desktop_page

    log_in(page, live_server, "juzhang", TEST_PASSWORD)
    enrol_second_factor(page)  # a leader's first login
    open_menu_item(page, "每日通报")
    page.get_by_test_id("review-row").first.click()
    notice = page.get_by_test_id("notice")
    expect(notice.get_by_text("每日研判通报")).to_be_visible()
    expect(notice.get_by_text("沭阳县公安局")).to_be_visible()
    expect(page.get_by_test_id("praised")).to_contain_text("东湖中心警务室")
    expect(page.get_by_test_id("criticised")).to_contain_text("西湖中心警务室：虚假走访 1 起，夜访缺勤 1 人次")
    expect(page.get_by_test_id("false-visits")).to_contain_text("李明")
    expect(page.get_by_test_id("night-missed")).to_contain_text("李明")
    expect(page.get_by_role("link", name="打印")).to_be_visible()
    screenshot(page, "review-notice-desktop", full_page=True)

    page.emulate_media(media="print")
    expect(page.get_by_test_id("notice-toolbar")).to_be_hidden()
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(notice.get_by_text("每日研判通报")).to_be_visible()
    screenshot(page, "review-notice-print", full_page=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SCREENSHOTS / "review-notice.pdf"), format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_an_evaluator_reads_the_notice_on_a_phone_and_rebuilds_it_after_confirming(
    live_server, phone_page, village_a, village_b, station_a
):
    day = timezone.localdate() - timedelta(days=1)
    a_day_of_work(village_a, village_b, station_a, day)
    daily_review_build(day=day, actor=system_actor())
    page = phone_page
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))

    log_in(page, live_server, "pingjia", TEST_PASSWORD)
    page.goto(f"{live_server.url}/evaluation/reviews/{day.isoformat()}/")
    expect(page.get_by_test_id("summary")).to_contain_text("虚假走访 1 起")
    screenshot(page, "review-notice-phone", full_page=True)
    page.get_by_test_id("rebuild").click()
    expect(page.get_by_role("alert")).to_contain_text("第 1 次重新生成,已记入审计日志")
    assert asked and "重新生成" in asked[0]
    expect(page.get_by_test_id("notice")).to_contain_text("重新生成 1 次")
