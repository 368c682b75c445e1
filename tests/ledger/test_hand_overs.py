"""A hand-over planned ahead: the household's open ledger items pass to the new officer on its first day, by
the job (ledger.tasks.follow_hand_overs_task, manage.py follow_hand_overs), not when it was planned."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.actors import is_system_actor
from jingshi_jiafang.core.models import HouseholdLink, User
from ledger.tasks import follow_hand_overs_task
from tests.core.factories import UserFactory
from tests.ledger.helpers import open_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(client, alice, bob, alice_household):
    """Alice's household handed to 新民警 from three days on, with one item of hers still open."""
    successor = UserFactory(role=User.Role.OFFICER, unit=alice_household.village.unit, name="新民警")
    item = open_item(alice, alice_household, "修路灯")
    start = timezone.localdate() + timedelta(days=3)
    client.force_login(bob)
    page = client.post(
        reverse("households:household_assign", args=[alice_household.pk]),
        {"officer": successor.pk, "start_date": start.isoformat()},
        follow=True,
    )
    return successor, item, start, page


def test_the_items_stay_with_the_officer_who_still_has_the_household(alice, planned):
    _, item, start, page = planned
    item.refresh_from_db()
    assert item.responsible == alice
    assert f"该户未销号的台账事项在 {start:%Y-%m-%d} 当天转给新民警" in page.content.decode()


def test_on_its_first_day_the_job_hands_them_over_and_a_second_run_hands_nothing(alice, planned):
    successor, item, start, _ = planned
    assert follow_hand_overs_task.delay((start - timedelta(days=1)).isoformat()).get() == 0
    assert follow_hand_overs_task.delay(start.isoformat()).get() == 1
    assert follow_hand_overs_task.delay(start.isoformat()).get() == 0
    item.refresh_from_db()
    assert item.responsible == successor
    last = item.events.order_by("pk").last()
    assert is_system_actor(last.actor) and "责任人由艾丽改为新民警" in last.note


def test_a_missed_morning_is_caught_up_by_the_command_of_a_later_day(alice, planned, capsys):
    successor, item, start, _ = planned
    call_command("follow_hand_overs", "--date", (start + timedelta(days=2)).isoformat())
    item.refresh_from_db()
    assert item.responsible == successor and "Handed over 1 ledger items." in capsys.readouterr().out


def test_a_hand_over_from_today_hands_at_once_and_the_job_finds_nothing_left(client, alice, bob, alice_household):
    successor = UserFactory(role=User.Role.OFFICER, unit=alice_household.village.unit)
    item = open_item(alice, alice_household, "修路灯")
    client.force_login(bob)
    client.post(
        reverse("households:household_assign", args=[alice_household.pk]),
        {"officer": successor.pk, "start_date": timezone.localdate().isoformat()},
    )
    item.refresh_from_db()
    assert item.responsible == successor
    assert follow_hand_overs_task.delay().get() == 0
    assert HouseholdLink.objects.filter(household=alice_household).count() == 2
