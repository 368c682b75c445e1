"""The demo county's ledger, pairs and teams."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import Area, PairingLink, User
from ledger.models import LedgerItem, PairingContact, ServiceTeam, TeamActivity
from ledger.selectors.pairing import pairing_compliance, pairing_duty, period_of
from tests.conftest import log_in_as
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_the_demo_ledger_has_items_in_every_state_some_overdue_and_reopened(client):
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


def test_demo_pairs_every_leader_and_cadre_with_a_hardship_household_at_realistic_compliance():
    pairs = list(PairingLink.objects.active().select_related("user", "household"))
    assert len(pairs) == 260  # one pair per 20 households in a small county, 260 in a county of 5,200 or more
    assert {pair.user.role for pair in pairs} == {User.Role.LEADER, User.Role.CADRE}
    assert (
        User.objects.filter(role__in=[User.Role.LEADER, User.Role.CADRE]).exclude(pairing_links__isnull=False).count()
        == 0
    )
    assert all(pair.household.is_hardship for pair in pairs)
    assert PairingContact.objects.count() > 40 * len(pairs)
    assert Visit.objects.filter(kind=Visit.Kind.PAIRING).count() > 8 * len(pairs)
    today = timezone.localdate()
    last_month = period_of("month", today).shifted(-1)
    results = pairing_compliance(pairings=pairs, period=last_month)
    behind = sum(result.missed for result in results)
    assert 0 < behind < len(pairs) / 2  # most pairs keep their duty, some are behind
    duty = pairing_duty(user=User.objects.get(username="cadre"))
    assert duty.this_week.status == "open" and not duty.behind
    assert pairing_duty(user=User.objects.get(username="leader")).behind


def test_demo_has_a_team_per_village_with_members_and_activities():
    assert ServiceTeam.objects.count() == Area.objects.filter(kind=Area.Kind.VILLAGE).count()
    assert not ServiceTeam.objects.annotate(n=Count("members")).filter(n__lt=4).exists()
    kinds = set(TeamActivity.objects.values_list("kind", flat=True))
    assert kinds == set(TeamActivity.Kind.values)
    assert not TeamActivity.objects.annotate(n=Count("members_present")).filter(n=0).exists()
    officer = User.objects.get(username="officer")
    assert ServiceTeam.objects.filter(leader=officer).exists()
