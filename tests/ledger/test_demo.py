"""The demo county's ledger: items in every state, some overdue and some reopened, through the real flow."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import User
from ledger.models import LedgerItem
from tests.conftest import log_in_as
from tests.project.test_seed_demo import seed

pytestmark = pytest.mark.django_db


def test_the_demo_ledger_has_items_in_every_state_some_overdue_and_reopened(client):
    seed("--households", "400", "--days", "30")
    items = LedgerItem.objects.all()
    assert set(items.values_list("state", flat=True)) == set(LedgerItem.State.values)
    assert any(item.is_overdue for item in items)
    reopened = items.filter(reopened_count__gt=0)
    assert reopened.exists()
    assert {"closed", "registered"} <= set(reopened.first().events.values_list("to_state", flat=True))
    assert items.filter(matter__isnull=False).exists()  # dispatched matters are in the ledger
    for item in items.filter(state="closed"):
        assert item.closed_by_id != item.delivered_by_id
    log_in_as(client, User.objects.get(username="station"))
    response = client.get(reverse("ledger:item_list"))
    assert response.status_code == 200 and response.context["page"].paginator.count >= 14
    log_in_as(client, User.objects.get(username="officer"))
    assert client.get(reverse("home")).status_code == 200


def test_the_demo_ledger_is_dated_from_its_sources_and_each_item_s_steps_are_in_order():
    seed("--households", "400", "--days", "30")
    items = list(LedgerItem.objects.prefetch_related("events").select_related("visit"))
    opened_days = {timezone.localdate(item.created_at) for item in items}
    assert len(opened_days) >= 5  # spread over the period, not all "today"
    now = timezone.now()
    for item in items:
        assert item.deadline >= timezone.localdate(item.created_at)
        if item.visit:
            assert item.created_at >= item.visit.visited_at
        if item.delivered_at:
            assert item.created_at <= item.delivered_at <= now
        if item.closed_at:
            assert item.delivered_at <= item.closed_at <= now
        times = [event.at for event in sorted(item.events.all(), key=lambda event: event.pk)]
        assert times == sorted(times) and times[0] >= item.created_at - timedelta(seconds=1)
        assert times[-1] <= now
    assert any(item.is_overdue for item in items)
