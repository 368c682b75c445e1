"""联系区域住户: what each row says of the household."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import Household

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("days", "said"), [(0, "今天"), (1, "昨天"), (38, "38 天前")])
def test_each_row_says_how_many_days_ago_it_was_visited(client, alice, alice_household, days, said):
    # In days, as 到期(超N天) counts them; not “1 月，3 周”.
    Household.objects.filter(pk=alice_household.pk).update(last_visited_at=timezone.now() - timedelta(days=days))
    client.force_login(alice)
    body = client.get(reverse("households:household_list")).content.decode()
    assert f"({said})" in body and "周" not in body
