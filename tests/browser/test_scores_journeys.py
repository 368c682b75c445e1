"""Issue 12's scores journey on a desktop: the evaluation centre opens the ranking, reads a score and its formula,
and drills down to the records behind a component."""

import pytest
from playwright.sync_api import expect

from evaluation.services.scores import scores_compute
from tests.browser.conftest import log_in, screenshot
from tests.core.factories import TEST_PASSWORD
from tests.evaluation.scores_month import MONTH, TODAY, build_month


@pytest.mark.django_db(transaction=True)
def test_ranking_shows_a_score_its_formula_and_the_records_behind_it(live_server, desktop_page, alice, bob, village_a):
    month = build_month(alice=alice, bob=bob, village_a=village_a)
    scores_compute(month=MONTH, today=TODAY)
    page = desktop_page
    log_in(page, live_server, month.evaluator.username, TEST_PASSWORD)

    page.goto(f"{live_server.url}/evaluation/scores/?period=month&month=2026-10&kind=officer")
    row = page.get_by_test_id("score-row").filter(has_text="艾丽")
    expect(row).to_contain_text("第1名")
    expect(row.get_by_test_id("score-total")).to_have_text("49.58")
    formula = page.get_by_test_id("score-formula")
    expect(formula).to_contain_text("本月有数据的比率指标权重之和")
    expect(formula).to_contain_text("本月本人走访过的联系户")
    screenshot(page, "scores-ranking", full_page=True)

    row.click()
    coverage = page.get_by_test_id("component-visit_coverage")
    expect(coverage).to_contain_text("3 / 4 = 75.0%")
    expect(coverage).to_contain_text("18.75 分")
    expect(page.get_by_test_id("component-false_visits")).to_contain_text("-5.00 分")
    screenshot(page, "scores-detail", full_page=True)

    coverage.get_by_role("link", name="查看明细 ›").click()
    records = page.get_by_test_id("record")
    expect(records).to_have_count(1)
    expect(records.first).to_contain_text("户3户")
    expect(page.get_by_test_id("component-figures")).to_contain_text("3 / 4 = 75.0%")
    screenshot(page, "scores-records-coverage", full_page=True)

    page.get_by_test_id("back").click()
    page.get_by_test_id("drill-false_visits").click()
    expect(page.get_by_test_id("record")).to_contain_text("虚假走访")
    screenshot(page, "scores-records-false-visits", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_unit_head_reads_his_unit_s_ranking_on_a_phone(live_server, phone_page, alice, bob, village_a):
    build_month(alice=alice, bob=bob, village_a=village_a)
    scores_compute(month=MONTH, today=TODAY)
    page = phone_page
    log_in(page, live_server, "bob", TEST_PASSWORD)
    page.goto(f"{live_server.url}/evaluation/scores/?period=month&month=2026-10&kind=unit")
    expect(page.get_by_test_id("score-row")).to_have_count(2)  # his station and its police room
    expect(page.get_by_test_id("score-row").first.get_by_test_id("score-total")).to_have_text("48.00")
    expect(page.get_by_test_id("month-actions")).to_have_count(0)  # closing is the evaluation centre's
    screenshot(page, "scores-ranking-phone", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_evaluator_changes_a_weight_from_next_month(live_server, desktop_page, alice, bob, village_a):
    month = build_month(alice=alice, bob=bob, village_a=village_a)
    page = desktop_page
    log_in(page, live_server, month.evaluator.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/evaluation/scores/")
    page.get_by_role("link", name="调整权重").click()
    page.get_by_label("考核对象").select_option(label="民警")
    page.get_by_label("指标").select_option(label="虚假走访")
    page.get_by_label("权重(分)").fill("8")
    page.get_by_label("起始月份").fill("2026-12")
    page.get_by_label("调整说明").fill("从严查处虚假走访")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已将民警的“虚假走访”权重设为 8.00,自2026年12月起生效。")).to_be_visible()
    expect(page.get_by_test_id("weights")).to_contain_text("从严查处虚假走访")
    screenshot(page, "scores-weights", full_page=True)
