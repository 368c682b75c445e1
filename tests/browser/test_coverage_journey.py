"""Coverage county-wide on a phone: an evaluator opens 走访覆盖, reads a card per town from the counts the hourly
job kept, and taps a town to see its villages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jingshi_jiafang.core.models import Area, Household, User
from tests.browser.conftest import log_in, open_menu_item, screenshot
from tests.core.factories import (
    TEST_PASSWORD,
    BureauFactory,
    HouseholdFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)
from visits.tasks import keep_coverage_counts_task

pytestmark = pytest.mark.django_db(transaction=True)


def _county() -> None:
    recently = timezone.now() - timedelta(days=5)
    for town_name, villages in {"东关镇": ["东湖村", "东山村"], "西关镇": ["西湖村"]}.items():
        town = TownFactory(name=town_name)
        for village_name in villages:
            village = VillageFactory(parent=town, name=village_name)
            households = [HouseholdFactory(village=village) for _ in range(4)]
            Household.objects.filter(pk__in=[h.pk for h in households[:3]]).update(last_visited_at=recently)


def test_an_evaluator_reads_coverage_by_town_and_opens_a_town(live_server, phone_page):
    _county()
    keep_coverage_counts_task.delay()
    UserFactory(username="fangping", name="访评员甲", role=User.Role.EVALUATOR, unit=BureauFactory())
    page = phone_page
    log_in(page, live_server, "fangping", TEST_PASSWORD)
    open_menu_item(page, "走访覆盖")
    cards = page.get_by_test_id("coverage-cards")
    expect(cards.get_by_role("link", name="东关镇")).to_be_visible()
    expect(cards.get_by_text("村/居 2 个")).to_be_visible()
    expect(page.get_by_test_id("coverage-counted-at")).to_contain_text("住户数据截至")
    expect(page.get_by_test_id("coverage-totals")).to_contain_text("12")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "coverage-county-by-town", full_page=True)

    cards.get_by_role("link", name="东关镇").click()
    expect(page.get_by_test_id("coverage-cards").get_by_text("东山村")).to_be_visible()
    expect(page.get_by_test_id("coverage-cards").get_by_text("西湖村")).to_have_count(0)
    expect(page.get_by_label("区域")).to_have_value(str(Area.objects.get(name="东关镇").pk))
    screenshot(page, "coverage-town-villages", full_page=True)

    # Into a village, and back up to its town by the trail.
    page.get_by_test_id("coverage-cards").get_by_role("link", name="东山村").click()
    trail = page.get_by_test_id("coverage-trail")
    expect(trail).to_contain_text("东山村")
    screenshot(page, "coverage-village-trail")
    trail.get_by_role("link", name="东关镇").click()
    expect(page.get_by_test_id("coverage-cards").get_by_text("东山村")).to_be_visible()
    page.get_by_test_id("coverage-trail").get_by_role("link", name="全部范围").click()
    expect(page.get_by_test_id("coverage-cards").get_by_role("link", name="东关镇")).to_be_visible()
