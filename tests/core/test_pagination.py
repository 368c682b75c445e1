"""Lists page 100 pages deep at most: the database reads every row before a page to reach it, so a deep page of
the county's households took seconds. Past the last page offered, the list asks for a search."""

import pytest
from django.urls import reverse

from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_wide(village_a, settings):
    settings.PAGE_SIZE, settings.MAX_PAGES = 2, 3
    HouseholdFactory.create_batch(9, village=village_a)
    return UserFactory(role=User.Role.LEGAL, unit=village_a.unit.parent.parent)


def test_a_page_past_the_last_one_offered_gives_the_last_and_asks_for_a_search(client, county_wide):
    log_in_as(client, county_wide)
    response = client.get(reverse("households:household_list"), {"page": 2000})
    page = response.context["page"]
    assert (page.number, page.has_next(), page.paginator.count) == (3, False, 9)
    body = response.content.decode()
    assert "列表只翻到第 3 页" in body and "下一页" not in body and "共 9 户" in body
    assert "第 3 / 3 页(只列出前 3 页),共 9 条" in body


def test_a_list_that_ends_within_the_pages_offered_does_not_ask(client, county_wide, settings):
    settings.MAX_PAGES = 5
    log_in_as(client, county_wide)
    response = client.get(reverse("households:household_list"), {"page": 5})
    assert response.context["page"].number == 5 and "列表只翻到" not in response.content.decode()


def test_an_uncounted_list_stops_at_the_same_depth(client, county_wide):
    # The coverage page's overdue households: never visited, so all nine are overdue.
    log_in_as(client, county_wide)
    response = client.get(reverse("visits:coverage"), {"page": 7})
    page = response.context["page"]
    assert (page.number, page.has_next(), page.stops_short) == (3, False, True)
    assert "列表只翻到第 3 页" in response.content.decode()
