"""Issue 12's leadership dashboard on a desktop: a leader opens the dashboard, filters to a town by its bar,
drills down to a village and to the records behind a figure; the wall mode draws in the dark."""

import random
import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.models import Callback
from evaluation.services.summaries import summaries_refresh_range
from feedback.models import Category, Matter
from jingshi_jiafang.core.models import User
from tests.browser.conftest import enrol_second_factor, log_in, open_menu_item, screenshot
from tests.core.factories import (
    TEST_PASSWORD,
    AreaLinkFactory,
    BureauFactory,
    HouseholdFactory,
    StationFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)
from tests.evaluation.factories import VisitCallbackFactory
from tests.evaluation.summaries_data import matter
from tests.visits.factories import VisitFactory
from visits.models import Finding, Visit

WIDE = {"width": 1366, "height": 900}
TOWNS = {"东关镇": ("东湖村", "桥头村", "王庄村"), "西河乡": ("西河村", "柳庄村"), "南岗镇": ("南岗社区", "李圩村")}


@transaction.atomic  # one summary rebuild when it commits, not one per visit saved (evaluation/receivers.py)
def _county(leader: User) -> None:
    """Three towns, seven villages, half a year of visits, findings, matters and callbacks."""
    rng = random.Random(12)
    now = timezone.now()
    evaluator = UserFactory(role=User.Role.EVALUATOR, unit=BureauFactory(), name="访评员")
    categories = [Category.PUBLIC_SECURITY, Category.LAW_ENFORCEMENT, Category.FORCE_CONDUCT, Category.LITIGATION, ""]
    states = [Matter.State.REPORTED, Matter.State.ANALYSED, Matter.State.DISPATCHED, Matter.State.HANDLING]
    for town_name, villages in TOWNS.items():
        town = TownFactory(name=town_name, unit=StationFactory())
        AreaLinkFactory(user=leader, area=town, start_date=timezone.localdate() - timedelta(days=400))
        for village_name in villages:
            village = VillageFactory(parent=town, name=village_name)
            officer = UserFactory(unit=village.unit)
            households = [HouseholdFactory(village=village) for _ in range(rng.randint(6, 10))]
            for household in households:
                for _ in range(rng.randint(1, 4)):
                    visit = VisitFactory(
                        visitor=officer,
                        household=household,
                        kind=rng.choice([Visit.Kind.DAY, Visit.Kind.DAY, Visit.Kind.NIGHT]),
                        visited_at=now - timedelta(days=rng.randint(0, 180), hours=rng.randint(1, 10)),
                    )
                    if rng.random() < 0.3:
                        Finding.objects.create(
                            visit=visit,
                            kind=rng.choice(list(Finding.Kind)),
                            description="走访发现",
                        )
                    if rng.random() < 0.6:
                        VisitCallbackFactory(
                            visit=visit,
                            state=Callback.State.DONE,
                            visit_check=Callback.VisitCheck.CONFIRMED,
                            satisfaction=rng.choice(["satisfied", "satisfied", "fairly_satisfied", "not_satisfied"]),
                            done_by=evaluator,
                            done_at=min(visit.visited_at + timedelta(days=1), now),
                        )
                if rng.random() < 0.5:
                    made = matter(
                        unit=village.unit,
                        household=household,
                        created=now - timedelta(days=rng.randint(0, 20)),
                        category=rng.choice(categories),
                    )
                    Matter.objects.filter(pk=made.pk).update(state=rng.choice(states))
    today = timezone.localdate()
    summaries_refresh_range(start=today - timedelta(days=365), end=today)


def _bar_point(page, chart_id: str, index: int) -> tuple[float, float]:
    """The middle of the `index`th bar of the first series on the screen, as ECharts laid it out."""
    return page.evaluate(
        """([id, index]) => {
            const element = document.getElementById(id);
            // Instant: Bootstrap makes scrolling smooth, and the box must be read where the chart ends up.
            element.scrollIntoView({block: "center", behavior: "instant"});
            const chart = echarts.getInstanceByDom(element);
            const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
            const box = element.getBoundingClientRect();
            return [box.left + bar.x + bar.width / 2, box.top + bar.y + bar.height / 2];
        }""",
        [chart_id, index],
    )


@pytest.mark.django_db(transaction=True)
def test_leader_filters_to_a_town_and_drills_down_to_a_village_and_its_records(live_server, browser):
    leader = UserFactory(username="juzhang", name="周局长", role=User.Role.LEADER, unit=BureauFactory())
    _county(leader)
    context = browser.new_context(viewport=WIDE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, "juzhang", TEST_PASSWORD)
    enrol_second_factor(page)

    figures = page.get_by_test_id("home-figures")
    expect(figures).to_contain_text("本月数据")
    expect(figures.get_by_role("link", name="完整数据看板")).to_be_visible()
    screenshot(page, "dashboard-home-leader", full_page=True)

    open_menu_item(page, "数据看板")
    expect(page.get_by_role("heading", name="全县数据看板")).to_be_visible()
    expect(page.locator("#chart-trend canvas")).to_be_visible()
    expect(page.locator("#chart-areas canvas")).to_be_visible()
    expect(page.locator("#chart-funnel canvas")).to_be_visible()
    expect(page.get_by_test_id("area-table")).to_contain_text("东关镇")
    page.wait_for_timeout(800)  # let the charts' entry animation finish before the picture
    screenshot(page, "dashboard-county", full_page=True)

    # The towns' bars are in the order of the table: the first is 东关镇. Clicking it opens that town.
    x, y = _bar_point(page, "chart-areas", 0)
    page.mouse.click(x, y)
    expect(page.get_by_role("heading", name="东关镇数据看板")).to_be_visible()
    expect(page.locator("#chart-areas canvas")).to_be_visible()
    expect(page.get_by_test_id("area-table")).to_contain_text("桥头村")
    expect(page.get_by_test_id("area-table")).not_to_contain_text("西河村")
    page.wait_for_timeout(800)
    screenshot(page, "dashboard-town", full_page=True)

    page.get_by_test_id("area-table").get_by_role("link", name="桥头村").click()
    expect(page.get_by_role("heading", name="东关镇 · 桥头村数据看板")).to_be_visible()
    expect(
        page.get_by_text("点击数字,查看该村/居这段时间的原始记录;回访接通和满意度只有统计数字,不逐条列出。")
    ).to_be_visible()
    expect(page.locator("#chart-trend canvas")).to_be_visible()
    page.wait_for_timeout(800)
    screenshot(page, "dashboard-village", full_page=True)

    visits_shown = page.locator('[data-figure="visits"] .figure-value').inner_text()
    page.locator('[data-figure="visits"]').click()
    expect(page.get_by_role("heading", name="东关镇 · 桥头村 走访记录")).to_be_visible()
    entries = page.locator(".diary-entry")
    expect(entries.first).to_be_visible()
    this_month = timezone.localdate().replace(day=1)
    village_visits = Visit.objects.filter(village__name="桥头村", visited_at__date__gte=this_month).count()
    assert int(visits_shown) == village_visits
    expect(page.get_by_text(f"共 {village_visits} 条")).to_have_count(1 if village_visits > 20 else 0)
    screenshot(page, "dashboard-records", full_page=True)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_wall_mode_draws_large_figures_and_charts_in_the_dark(live_server, browser):
    leader = UserFactory(username="juzhang", name="周局长", role=User.Role.LEADER, unit=BureauFactory())
    _county(leader)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, "juzhang", TEST_PASSWORD)
    enrol_second_factor(page)
    page.goto(f"{live_server.url}/evaluation/dashboard/wall/")
    expect(page.get_by_text("警事家访指挥大屏")).to_be_visible()
    expect(page.locator("#chart-trend canvas")).to_be_visible()
    expect(page.locator("#chart-areas canvas")).to_be_visible()
    expect(page.get_by_test_id("wall-figures")).to_contain_text("走访户数")
    page.wait_for_timeout(800)
    screenshot(page, "dashboard-wall")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_an_evaluator_reads_the_dashboard_on_a_phone(live_server, phone_page):
    leader = UserFactory(username="juzhang", name="周局长", role=User.Role.LEADER, unit=BureauFactory())
    _county(leader)
    UserFactory(username="fangping", name="访评员甲", role=User.Role.EVALUATOR, unit=BureauFactory())
    page = phone_page
    log_in(page, live_server, "fangping", TEST_PASSWORD)
    page.goto(f"{live_server.url}/evaluation/dashboard/")
    expect(page.get_by_role("heading", name="全县数据看板")).to_be_visible()
    expect(page.locator('[data-figure="households"]')).to_be_visible()
    # The period form shows the inputs of the chosen kind only: a month, then a year.
    expect(page.get_by_label("月份", exact=True)).to_be_visible()
    expect(page.get_by_label("年份")).to_be_hidden()
    expect(page.get_by_label("起始月份")).to_be_hidden()
    page.get_by_label("统计周期").select_option("year")
    expect(page.get_by_label("年份")).to_be_visible()
    expect(page.get_by_label("月份", exact=True)).to_be_hidden()
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name="全县数据看板")).to_have_text(re.compile(r"数据看板\s*\d{4}年$"))
    assert re.search(r"\?period=year&year=\d{4}$", page.url), page.url  # the other kinds' inputs are not sent
    expect(page.get_by_label("年份")).to_be_visible()
    # Back to the month: whatever value the browser restores in the select, its inputs are the ones shown.
    page.go_back()
    kind = page.get_by_label("统计周期").input_value()
    expect(page.locator(f'[data-period-part="{kind}"]').first).to_be_visible()
    for other in {"month", "year", "range"} - {kind}:
        expect(page.locator(f'[data-period-part="{other}"]').first).to_be_hidden()
    page.locator("#chart-trend").scroll_into_view_if_needed()
    expect(page.locator("#chart-trend canvas")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.wait_for_timeout(800)
    screenshot(page, "dashboard-phone", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_five_village_names_on_a_phone_are_slanted_not_run_together(live_server, phone_page):
    """Five five-character names under a phone's bars ran into one unreadable line ("陈墩居委姚圩村集居委…"):
    the labels slant when they do not fit side by side, and stay level on a desktop."""
    town = TownFactory(name="沭城街道", unit=StationFactory())
    for name in ("陈墩居委会", "姚圩村委会", "丁集居委会", "郭集居委会", "苏庄社区居"):
        village = VillageFactory(parent=town, name=name)
        VisitFactory(household=HouseholdFactory(village=village), visitor=UserFactory(unit=village.unit))
    summaries_refresh_range(start=timezone.localdate(), end=timezone.localdate())
    UserFactory(username="fangping", name="访评员甲", role=User.Role.EVALUATOR, unit=BureauFactory())
    page = phone_page
    log_in(page, live_server, "fangping", TEST_PASSWORD)
    rotate = "() => echarts.getInstanceByDom(document.getElementById('chart-areas'))" + (
        ".getOption().xAxis[0].axisLabel.rotate"
    )
    page.goto(f"{live_server.url}/evaluation/dashboard/areas/{town.pk}/")
    expect(page.locator("#chart-areas canvas")).to_be_visible()
    assert page.evaluate(rotate) == 30
    page.set_viewport_size(WIDE)
    page.reload()
    expect(page.locator("#chart-areas canvas")).to_be_visible()
    assert page.evaluate(rotate) == 0
