"""结对联建 in the platform: a leader's or cadre's paired household joins their reach, and nothing else does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jingshi_jiafang.core.models import AuditEntry, PairingLink, User
from jingshi_jiafang.core.scopes import (
    areas_visible_to,
    households_linked_to,
    households_visible_to,
    is_paired_with,
    is_within_links,
    paired_households,
)
from jingshi_jiafang.core.services import LinkError, pairing_link_start
from tests.core.factories import AreaLinkFactory, HouseholdFactory, PairingLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [User.Role.LEADER, User.Role.CADRE])
def test_leader_or_cadre_reaches_their_paired_household_and_nothing_more(role, village_b, charlie_household):
    paired = HouseholdFactory(village=village_b, is_hardship=True)
    link = PairingLinkFactory(user=UserFactory(role=role), household=paired)
    assert set(households_visible_to(link.user)) == {paired}
    assert set(households_linked_to(link.user)) == {paired}
    assert is_within_links(link.user, paired)
    assert not areas_visible_to(link.user).exists()


def test_cadre_sees_linked_village_and_paired_household(village_a, village_b, alice_household, charlie_household):
    link = AreaLinkFactory(area=village_a)
    paired = HouseholdFactory(village=village_b, is_hardship=True)
    PairingLinkFactory(user=link.user, household=paired)
    assert set(households_visible_to(link.user)) == {alice_household, paired}


def test_ended_pairing_gives_no_reach(village_b):
    link = PairingLinkFactory(household=HouseholdFactory(village=village_b, is_hardship=True))
    PairingLink.objects.filter(pk=link.pk).update(end_date=timezone.localdate() - timedelta(days=1))
    assert not households_visible_to(link.user).exists()
    assert not is_paired_with(link.user, link.household)


def test_officer_gets_no_reach_from_a_pairing_row(alice, village_b):
    household = HouseholdFactory(village=village_b, is_hardship=True)
    PairingLink.objects.create(user=alice, household=household)
    assert not paired_households(alice).exists()
    assert household not in households_visible_to(alice)


def test_pairing_start_is_audited_and_ends_the_previous_pair(village_a):
    secadmin = UserFactory(role=User.Role.SECURITY_ADMIN)
    cadre = UserFactory(role=User.Role.CADRE)
    first, second = (HouseholdFactory(village=village_a, is_hardship=True) for _ in range(2))
    today = timezone.localdate()
    old = pairing_link_start(user=cadre, household=first, start_date=today - timedelta(days=10), actor=secadmin)
    new = pairing_link_start(user=cadre, household=second, actor=secadmin)
    old.refresh_from_db()
    assert old.end_date == today - timedelta(days=1)
    assert set(paired_households(cadre)) == {second}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SCOPE_CHANGED, object_id=str(cadre.pk)).count() == 2
    assert new.start_date == today


@pytest.mark.parametrize(
    ("role", "hardship", "message"),
    [(User.Role.OFFICER, True, "只有局领导和中层干部"), (User.Role.CADRE, False, "不是特困户")],
)
def test_pairing_refuses_other_roles_and_ordinary_households(village_a, role, hardship, message):
    household = HouseholdFactory(village=village_a, is_hardship=hardship)
    with pytest.raises(LinkError, match=message):
        pairing_link_start(user=UserFactory(role=role), household=household)


def test_a_household_already_paired_is_neither_offered_nor_paired_twice(village_a):
    from jingshi_jiafang.core.forms import PairingForm

    household = HouseholdFactory(village=village_a, is_hardship=True)
    first = UserFactory(role=User.Role.CADRE, name="甲")
    pairing_link_start(user=first, household=household)
    second = UserFactory(role=User.Role.CADRE)
    with pytest.raises(LinkError, match="已与甲结对"):
        pairing_link_start(user=second, household=household)
    assert household not in PairingForm(village=village_a).fields["household"].queryset
