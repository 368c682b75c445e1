"""The demo county's pairs and teams: a pair per leader and cadre at realistic compliance, a team per village."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from jingshi_jiafang.core.models import Area, PairingLink, User
from ledger.models import PairingContact, ServiceTeam, TeamActivity
from ledger.selectors.pairing import pairing_compliance, pairing_duty, period_of
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_demo_pairs_every_leader_and_cadre_with_a_hardship_household_at_realistic_compliance():
    call_command("seed_demo", "--force", "--households", "2000", "--seed", "3", stdout=io.StringIO())
    pairs = list(PairingLink.objects.active().select_related("user", "household"))
    assert len(pairs) == 100  # one pair per 20 households in a small county (260 in a county of 5,200 or more)
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
    call_command("seed_demo", "--force", "--households", "500", "--seed", "3", stdout=io.StringIO())
    assert ServiceTeam.objects.count() == Area.objects.filter(kind=Area.Kind.VILLAGE).count()
    assert not ServiceTeam.objects.annotate(n=Count("members")).filter(n__lt=4).exists()
    kinds = set(TeamActivity.objects.values_list("kind", flat=True))
    assert kinds == set(TeamActivity.Kind.values)
    assert not TeamActivity.objects.annotate(n=Count("members_present")).filter(n=0).exists()
    officer = User.objects.get(username="officer")
    assert ServiceTeam.objects.filter(leader=officer).exists()
