"""The demo county's ledger, pairs and teams."""

from datetime import timedelta

import pytest
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from evaluation.models import UnitDaySummary, VillageDaySummary
from evaluation.services.summaries import PROBLEM_SOURCES
from feedback.models import Matter
from feedback.workflows import MATTER_FLOW
from jingshi_jiafang.core.models import Area, PairingLink, User
from ledger.models import LedgerItem, PairingContact, ServiceTeam, TeamActivity
from ledger.selectors.pairing import pairing_compliance, pairing_duty, period_of
from ledger.workflows import LEDGER_FLOW
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


def _first_moves_into(state: str) -> dict:
    """Matter id → its first move into `state`."""
    moves = {}
    for event in MATTER_FLOW.moves_into(state).order_by("at", "pk"):
        moves.setdefault(event.matter_id, event)
    return moves


def test_every_dispatched_demo_matter_has_its_one_ledger_item_kept_along_with_it():
    """Live, 分流 opens a matter's ledger item (matter_dispatch → ledger_item_open_for_matter). The history moved its
    matters directly, so of hundreds dispatched a handful had one: the 台账 and the dashboard's ledger figures were
    thin, and 改派 had no item to pass on."""
    dispatched, started = _first_moves_into(Matter.State.DISPATCHED), _first_moves_into(Matter.State.HANDLING)
    reopened = set(MATTER_FLOW.moves_out_of(Matter.State.CLOSED).values_list("matter_id", flat=True))
    items = LedgerItem.objects.filter(matter__isnull=False).prefetch_related("events")
    items = {item.matter_id: item for item in items}
    matters = list(Matter.objects.filter(pk__in=dispatched))
    assert len(matters) > 300 and {matter.state for matter in matters} >= {"dispatched", "handling", "closed"}
    registered_on_start = 0
    for matter in matters:
        item, dispatch = items[matter.pk], dispatched[matter.pk]
        events = sorted(item.events.all(), key=lambda event: event.pk)
        # Opened as the dispatch opens it: that moment, by the dispatcher, due on the matter's deadline.
        assert (events[0].from_state, events[0].to_state, events[0].actor_id) == ("", "known", dispatch.actor_id)
        assert events[0].note == f"掌握({item.get_source_display()})"
        assert abs(item.created_at - dispatch.at) < timedelta(seconds=1)
        assert item.what == matter.content and item.household_id == matter.household_id
        if matter.pk in reopened:
            continue  # 不满意 on a callback: a new deadline for the matter, the item's kept
        if item.topic_item_id:
            continue  # a topic visit's new promise took the kept item up anew, due anew
        if matter.deadline:
            assert item.deadline == timezone.localdate(matter.deadline)
            assert (item.unit_id, item.responsible_id) == (matter.assigned_unit_id, matter.assignee_id)
        moves = {event.to_state: event for event in events if event.from_state != event.to_state}
        if matter.state == Matter.State.DISPATCHED:
            assert item.state == LedgerItem.State.KNOWN
        if matter.state == Matter.State.HANDLING:
            # Entered in the ledger by its handler on starting, in the history as through the services.
            start, registered = started[matter.pk], moves["registered"]
            assert abs(registered.at - start.at) < timedelta(seconds=1) and registered.actor_id == start.actor_id
            assert registered.note == "登记入账(诉求开始处理)"
            registered_on_start += 1
        if matter.state == Matter.State.CLOSED:
            # Delivered with the matter's answer when it was closed, and 销号 that day by someone else.
            delivered, closed = moves["delivered"], moves["closed"]
            assert (delivered.at, delivered.actor_id, delivered.note) == (
                matter.closed_at,
                matter.assignee_id,
                f"诉求办结:{matter.result}",
            )
            assert timezone.localdate(closed.at) == timezone.localdate(matter.closed_at)
            assert closed.at >= delivered.at and closed.actor_id != delivered.actor_id
    assert registered_on_start > 10
    # Re-dispatched after 退单: the item went to the new handler, with a line in its history.
    assert any("诉求重新分流" in event.note for item in items.values() for event in item.events.all())


def test_the_demo_dashboard_counts_the_ledger_items_closed_in_the_history():
    """seed_demo builds the summaries last, after the matters' items: every 销号 of the period is in them."""
    closings = LEDGER_FLOW.moves_into(LedgerItem.State.CLOSED)
    closed_matters = Matter.objects.filter(state=Matter.State.CLOSED).count()
    assert closings.filter(item__matter__isnull=False).count() >= closed_matters > 300
    figures = ("ledger_closed_on_time", "ledger_closed_late", "problems_solved_in_ledger")
    for summary in (VillageDaySummary, UnitDaySummary):
        counted = summary.objects.aggregate(**{name: Sum(name) for name in figures})
        assert counted["ledger_closed_on_time"] + counted["ledger_closed_late"] == closings.count()
        assert counted["ledger_closed_late"] > 0
        assert counted["problems_solved_in_ledger"] == closings.filter(item__source__in=PROBLEM_SOURCES).count() > 0


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
