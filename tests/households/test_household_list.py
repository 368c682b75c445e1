"""联系区域住户: what each row says of the household."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import Household
from tests.core.factories import HouseholdFactory, HouseholdLinkFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("days", "said"), [(0, "今天"), (1, "昨天"), (38, "38 天前")])
def test_each_row_says_how_many_days_ago_it_was_visited(client, alice, alice_household, days, said):
    # In days, as 到期(超N天) counts them; not “1 月，3 周”.
    Household.objects.filter(pk=alice_household.pk).update(last_visited_at=timezone.now() - timedelta(days=days))
    client.force_login(alice)
    body = client.get(reverse("households:household_list")).content.decode()
    assert f"({said})" in body and "周" not in body


def test_an_officers_list_begins_with_who_is_due(client, alice, village_a):
    now = timezone.now()
    visited = {"十天前户": now - timedelta(days=10), "从未户": None, "百天前户": now - timedelta(days=100)}
    for name, at in visited.items():
        household = HouseholdFactory(village=village_a, head_name=name, last_visited_at=at)
        HouseholdLinkFactory(officer=alice, household=household)
    client.force_login(alice)

    page = client.get(reverse("households:household_list")).context["page"]

    assert [household.head_name for household in page.object_list] == ["从未户", "百天前户", "十天前户"]
