from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from jingshi_jiafang.core.models import HouseholdLink, User
from jingshi_jiafang.core.services import LinkError, area_link_start, household_assign_officer
from tests.core.factories import HouseholdLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


def security_admin():
    return UserFactory(role=User.Role.SECURITY_ADMIN)


def test_reassigning_a_household_ends_the_old_link_and_keeps_it(alice, bob, alice_household, village_a):
    successor = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
    today = timezone.localdate()
    new_link = household_assign_officer(household=alice_household, officer=successor, start_date=today, actor=bob)
    old_link = HouseholdLink.objects.get(household=alice_household, officer=alice)
    assert old_link.end_date == today
    assert new_link.end_date is None
    assert alice_household.links.count() == 2


def test_on_the_hand_over_day_both_officers_reach_the_household_and_the_new_one_is_responsible(
    alice, bob, alice_household, village_a
):
    from jingshi_jiafang.core.scopes import households_visible_to, is_within_links
    from jingshi_jiafang.core.selectors import household_list

    successor = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, name="接任民警")
    today = timezone.localdate()
    household_assign_officer(household=alice_household, officer=successor, start_date=today, actor=bob)
    assert alice_household in households_visible_to(alice) and alice_household in households_visible_to(successor)
    assert household_list(user=successor).get().officer_name == "接任民警"
    tomorrow = today + timedelta(days=1)
    assert not is_within_links(alice, alice_household, on=tomorrow)
    assert is_within_links(successor, alice_household, on=tomorrow)


def test_a_hand_over_may_not_start_on_the_current_links_first_day(alice, bob, alice_household, village_a):
    successor = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
    start = alice_household.links.get().start_date
    with pytest.raises(LinkError, match="必须晚于当前联系的开始日期"):
        household_assign_officer(household=alice_household, officer=successor, start_date=start, actor=bob)


def test_only_officers_are_linked_to_households(alice_household, bob):
    cadre = UserFactory(role=User.Role.CADRE)
    with pytest.raises(LinkError, match="只有民警"):
        household_assign_officer(household=alice_household, officer=cadre, actor=bob)


def test_reassigning_to_the_same_officer_is_refused(alice, bob, alice_household):
    with pytest.raises(LinkError, match="已是该户的责任民警"):
        household_assign_officer(household=alice_household, officer=alice, actor=bob)


def test_database_refuses_two_open_links_for_one_household(alice_household, charlie):
    with pytest.raises(IntegrityError):
        HouseholdLinkFactory(household=alice_household, officer=charlie)


def test_leader_links_to_a_town_not_a_village(village_a):
    leader = UserFactory(role=User.Role.LEADER)
    with pytest.raises(LinkError, match="只能联系镇/乡"):
        area_link_start(user=leader, area=village_a, actor=security_admin())
    assert area_link_start(user=leader, area=village_a.parent, actor=security_admin()).area == village_a.parent


def test_officer_links_to_no_area(alice, village_a):
    with pytest.raises(LinkError, match="不联系区域"):
        area_link_start(user=alice, area=village_a, actor=security_admin())


def test_cadre_cannot_open_a_second_link_to_the_same_village(village_a):
    cadre = UserFactory(role=User.Role.CADRE)
    area_link_start(user=cadre, area=village_a, actor=security_admin())
    with pytest.raises(LinkError, match="已在联系"):
        area_link_start(user=cadre, area=village_a, actor=security_admin())


def test_station_head_reassigns_a_household_on_its_page(client, bob, alice, alice_household, village_a):
    from django.urls import reverse

    from jingshi_jiafang.core.models import AuditEntry

    successor = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, name="接任民警")
    client.force_login(bob)
    url = reverse("households:household_assign", args=[alice_household.pk])
    response = client.post(url, {"officer": successor.pk, "start_date": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert alice_household.links.get(end_date__isnull=True).officer == successor
    assert AuditEntry.objects.filter(action="scope_changed", actor=bob, object_id=str(alice_household.pk)).exists()
    again = client.post(url, {"officer": successor.pk, "start_date": timezone.localdate().isoformat()})
    assert again.status_code == 400 and "已是该户的责任民警" in again.content.decode()
    client.force_login(alice)  # she keeps the hand-over day, but heads no unit
    assert client.post(url, {"officer": alice.pk, "start_date": "2026-12-01"}).status_code == 403
    alice_household.links.filter(officer=alice).update(end_date=timezone.localdate() - timedelta(days=1))
    assert client.post(url, {"officer": alice.pk, "start_date": "2026-12-01"}).status_code == 404


def test_an_officer_who_is_not_a_unit_head_cannot_reassign(client, alice, alice_household, village_a):
    from django.urls import reverse

    other = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
    client.force_login(alice)
    response = client.post(reverse("households:household_assign", args=[alice_household.pk]), {"officer": other.pk})
    assert response.status_code == 403


def test_a_hand_over_planned_ahead_says_from_when(client, bob, alice_household, village_a):
    from django.urls import reverse

    successor = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, name="接任民警")
    client.force_login(bob)
    later = timezone.localdate() + timedelta(days=3)
    url = reverse("households:household_assign", args=[alice_household.pk])
    page = client.post(url, {"officer": successor.pk, "start_date": later.isoformat()}, follow=True)
    assert f"的责任民警自 {later:%Y-%m-%d} 起调整为接任民警" in page.content.decode()
