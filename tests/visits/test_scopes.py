from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from tests.visits.factories import AreaLinkFactory, HouseholdFactory, HouseholdLinkFactory, UserFactory
from visits.models import User
from visits.scopes import (
    areas_visible_to,
    get_household_for_user,
    households_visible_to,
    units_visible_to,
    villages_visible_to,
)

pytestmark = pytest.mark.django_db


def test_officer_sees_only_linked_households(alice, alice_household, village_a):
    unlinked_neighbour = HouseholdFactory(village=village_a)
    visible = set(households_visible_to(alice))
    assert visible == {alice_household}
    assert unlinked_neighbour not in visible


def test_officer_cannot_see_other_station_household(alice, charlie_household):
    with pytest.raises(Http404):
        get_household_for_user(alice, charlie_household.pk)


def test_officer_loses_sight_of_a_household_when_the_link_ends(alice, alice_household):
    alice_household.links.update(end_date=timezone.localdate() - timedelta(days=1))
    assert not households_visible_to(alice).exists()


def test_station_head_sees_the_whole_station_area(bob, alice_household, charlie_household, village_a):
    unlinked = HouseholdFactory(village=village_a)
    assert set(households_visible_to(bob)) == {alice_household, unlinked}


def test_duty_officer_sees_the_police_room_area(village_a, alice_household, charlie_household):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    assert set(households_visible_to(duty)) == {alice_household}


def test_cadre_sees_households_of_linked_villages(village_a, alice_household, charlie_household):
    link = AreaLinkFactory(area=village_a)
    assert set(households_visible_to(link.user)) == {alice_household}


def test_leader_sees_households_of_linked_town(village_a, alice_household, charlie_household):
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    assert set(households_visible_to(leader)) == {alice_household}
    assert set(areas_visible_to(leader)) == {village_a, village_a.parent}


@pytest.mark.parametrize("role", [User.Role.LEGAL, User.Role.EVALUATOR])
def test_county_wide_roles_see_every_household(role, alice_household, charlie_household):
    user = UserFactory(role=role)
    assert set(households_visible_to(user)) == {alice_household, charlie_household}


def test_administrator_sees_no_case_content_but_all_units(alice_household, charlie_household, station_a):
    admin = UserFactory(role=User.Role.ADMIN)
    assert not households_visible_to(admin).exists()
    assert not villages_visible_to(admin).exists()
    assert station_a in units_visible_to(admin)


def test_inactive_user_sees_nothing(alice, alice_household):
    alice.is_active = False
    assert not households_visible_to(alice).exists()


def test_officer_units_are_own_subtree(alice, station_b):
    assert set(units_visible_to(alice)) == {alice.unit}


def test_link_starting_tomorrow_gives_no_access_yet(alice, village_a):
    household = HouseholdFactory(village=village_a)
    HouseholdLinkFactory(officer=alice, household=household, start_date=timezone.localdate() + timedelta(days=1))
    assert household not in households_visible_to(alice)
