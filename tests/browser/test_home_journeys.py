"""Issue 8's journeys on a phone: the officer's to-do list, the station head's queues and menu, a Chinese 404."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback import services as feedback_services
from feedback.models import DutyShift, Matter
from jingshi_jiafang.core.models import User
from tests.browser.conftest import enrol_second_factor, log_in, open_menu_item, screenshot
from tests.core.factories import TEST_PASSWORD, HouseholdFactory, HouseholdLinkFactory, UserFactory
from tests.feedback.helpers import walk_in
from tests.visits.factories import NightVisitPlanFactory


def dispatched_to(officer, duty, content, *, late=False) -> Matter:
    matter = walk_in(duty, content=content)
    feedback_services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    matter = feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=officer.unit, assignee=officer)
    if late:
        Matter.objects.filter(pk=matter.pk).update(deadline=timezone.now() - timedelta(hours=5))
    return matter


@pytest.fixture
def station_day(village_a, station_a):
    """A station on an ordinary day: a planned night visit, households not visited for long, matters under way."""
    head = UserFactory(username="suozhang", name="韩立", unit=station_a, is_unit_head=True)
    officer = UserFactory(username="haiyan", name="王海燕", unit=village_a.unit)
    duty = UserFactory(username="zhiban", name="丁值班", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    for name, days in (("李春梅", None), ("周大伯", 120), ("孙二嫂", 5)):
        visited = timezone.now() - timedelta(days=days) if days else None
        household = HouseholdFactory(village=village_a, head_name=name, last_visited_at=visited)
        HouseholdLinkFactory(officer=officer, household=household)
    NightVisitPlanFactory(officer=officer, village=village_a, date=timezone.localdate(), planned_by=head)
    dispatched_to(officer, duty, "村口路灯坏了,晚上看不见路")
    dispatched_to(officer, duty, "邻居装修噪音扰民", late=True)
    walk_in(duty, content="孩子上户口需要什么材料")
    return head, officer


@pytest.mark.django_db(transaction=True)
def test_officer_sees_the_to_do_list_and_follows_a_matter(live_server, phone_page, station_day, village_a):
    page = phone_page
    log_in(page, live_server, "haiyan", TEST_PASSWORD)

    tonight = page.get_by_test_id("todo-tonight")
    expect(tonight.get_by_text(f"{village_a.parent} · {village_a}")).to_be_visible()
    due = page.get_by_test_id("todo-due_households")
    expect(due.get_by_test_id("todo-count")).to_have_text("2")
    expect(due.get_by_text("李春梅户")).to_be_visible()
    matters = page.get_by_test_id("todo-my_matters")
    expect(matters.get_by_test_id("todo-count")).to_have_text("2")
    # The late matter comes first, marked.
    expect(matters.get_by_test_id("todo-item").first).to_contain_text("邻居装修噪音扰民")
    expect(matters.get_by_test_id("todo-item").first).to_contain_text("超期")
    screenshot(page, "home-officer-todo", full_page=True)

    matters.get_by_test_id("todo-item").first.click()
    expect(page.get_by_text("邻居装修噪音扰民").first).to_be_visible()
    assert "/matters/" in page.url
    screenshot(page, "home-officer-followed-matter")


@pytest.mark.django_db(transaction=True)
def test_station_head_sees_queues_and_reaches_station_pages_from_the_menu(live_server, phone_page, station_day):
    page = phone_page
    log_in(page, live_server, "suozhang", TEST_PASSWORD)

    sections = page.locator("section[data-testid^='todo-']")
    expect(sections.first).to_have_attribute("data-testid", "todo-overdue_matters")
    expect(page.get_by_test_id("todo-overdue_matters").get_by_test_id("todo-count")).to_have_text("1")
    expect(page.get_by_test_id("todo-to_process").get_by_test_id("todo-count")).to_have_text("1")
    expect(page.get_by_test_id("todo-due_households").get_by_test_id("todo-count")).to_have_text("2")
    expect(page.get_by_test_id("todo-tonight").get_by_text("王海燕")).to_be_visible()
    screenshot(page, "home-station-head-todo", full_page=True)

    tomorrow = timezone.now() + timedelta(days=1)
    duty = User.objects.get(username="zhiban")
    DutyShift.objects.create(
        police_room=duty.unit, officer=duty, starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=8)
    )
    for label in ("走访覆盖", "夜访考核", "值班表"):
        open_menu_item(page, label)
        expect(page.locator("h1").first).to_contain_text(label)
    screenshot(page, "station-head-roster")
    # A shift entered by mistake goes, once he confirms.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("shift").filter(has_text="丁值班").get_by_test_id("remove-shift").click()
    expect(page.get_by_text("已删除丁值班的班次")).to_be_visible()
    expect(page.get_by_test_id("shift")).to_have_count(0)
    screenshot(page, "station-head-roster-removed")


@pytest.mark.django_db(transaction=True)
def test_missing_page_is_chinese_in_the_site_layout(live_server, phone_page, station_day):
    page = phone_page
    log_in(page, live_server, "haiyan", TEST_PASSWORD)
    page.goto(f"{live_server.url}/no-such-page/")
    expect(page.get_by_role("heading", name="没有找到这个页面")).to_be_visible()
    expect(page.get_by_role("button", name="展开菜单")).to_be_visible()
    screenshot(page, "error-404")
    page.get_by_role("link", name="返回首页").click()
    expect(page.get_by_text("我的待办")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_auditor_reads_the_log_on_a_narrow_phone(live_server, browser, station_day):
    UserFactory(username="shenji", name="审计员", role=User.Role.AUDITOR)
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "shenji", TEST_PASSWORD)
    enrol_second_factor(page)
    page.goto(f"{live_server.url}/audit/")
    cards = page.get_by_test_id("audit-cards")
    expect(cards.get_by_text("研判 → 分流").first).to_be_visible()
    expect(cards.get_by_text("丁值班(zhiban)").first).to_be_visible()
    # The action's name stays on one line on a 360px screen.
    action = cards.get_by_text("状态变更").first
    assert action.bounding_box()["height"] < 30
    screenshot(page, "audit-log-360")
    context.close()
