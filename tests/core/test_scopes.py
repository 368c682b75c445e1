from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.scopes import (
    areas_visible_to,
    get_household_for_user,
    households_visible_to,
    units_visible_to,
    villages_visible_to,
)
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, HouseholdLinkFactory, UserFactory

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


# One reach for every page about a household (issue #9: bureau cadres and leaders reached the whole county).


@pytest.fixture
def bureau_cadre(village_a):
    from tests.core.factories import BureauFactory

    cadre = UserFactory(username="cadre", role=User.Role.CADRE, unit=BureauFactory())
    AreaLinkFactory(user=cadre, area=village_a)
    return cadre


@pytest.fixture
def bureau_leader(village_a):
    from tests.core.factories import BureauFactory

    leader = UserFactory(username="leader", role=User.Role.LEADER, unit=BureauFactory())
    AreaLinkFactory(user=leader, area=village_a.parent)
    return leader


def test_bureau_cadre_household_list_holds_nothing_outside_his_links(client, bureau_cadre, charlie_household):
    client.force_login(bureau_cadre)
    page = client.get(reverse("households:household_list"))
    assert charlie_household not in page.context["page"].object_list
    assert charlie_household.head_name not in page.content.decode()


@pytest.mark.parametrize("who", ["bureau_cadre", "bureau_leader"])
def test_bureau_visitor_cannot_visit_or_change_a_household_outside_reach(client, request, who, charlie_household):
    from feedback.models import Matter
    from tests.visits.test_visits import visit_post

    log_in_as(client, request.getfixturevalue(who))
    url = reverse("visits:visit_create", args=[charlie_household.pk])
    assert client.get(url).status_code == 404
    data = visit_post(charlie_household, head_name="改掉的名字", phone="13900001111", outside_links_reason="顺路")
    data["requests"] = "被伪造的诉求"
    assert client.post(url, data).status_code == 404
    charlie_household.refresh_from_db()
    assert charlie_household.head_name == "乙户主" and charlie_household.phone != "13900001111"
    assert not Matter.objects.filter(household=charlie_household).exists()


def test_unit_head_flag_gives_a_bureau_leader_no_county_reach(bureau_leader, charlie_household):
    bureau_leader.is_unit_head = True
    assert charlie_household not in households_visible_to(bureau_leader)


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "bureau_cadre", "bureau_leader"])
def test_household_page_and_visit_form_answer_the_same(client, request, who, alice_household, charlie_household):
    user = request.getfixturevalue(who)
    log_in_as(client, user)
    for household in (alice_household, charlie_household, HouseholdFactory(village=alice_household.village)):
        detail = client.get(reverse("households:household_detail", args=[household.pk])).status_code
        form = client.get(reverse("visits:visit_create", args=[household.pk])).status_code
        assert detail == form, (who, household)


def test_ordinary_officer_cannot_visit_an_unlinked_neighbour(client, alice, alice_household, village_a):
    neighbour = HouseholdFactory(village=village_a)
    client.force_login(alice)
    assert client.get(reverse("visits:visit_create", args=[neighbour.pk])).status_code == 404
    page = client.get(reverse("households:household_list"))
    assert list(page.context["page"].object_list) == [alice_household]


def test_station_head_visits_a_household_of_the_station_area_without_a_reason(client, bob, alice_household):
    """A unit head's own unit area is within his links: no reason asked, the visit is not marked 联系范围外."""
    from tests.visits.test_visits import visit_post
    from visits.models import Visit

    client.force_login(bob)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    assert "走访理由" not in client.get(url).content.decode()
    assert client.post(url, visit_post(alice_household)).status_code == 302
    visit = Visit.objects.get(visitor=bob)
    assert not visit.is_outside_links
    assert "联系范围外" not in client.get(reverse("visits:diary")).content.decode()


def test_station_head_household_list_has_no_outside_links_tab(client, bob, alice_household, village_a):
    unlinked = HouseholdFactory(village=village_a)
    client.force_login(bob)
    page = client.get(reverse("households:household_list"), {"scope": "unit"})
    assert set(page.context["page"].object_list) == {alice_household, unlinked}
    assert "范围外走访" not in page.content.decode()


def test_unit_head_link_outside_his_area_opens_that_household_only(bob, charlie, village_b):
    """A head's reach is his links plus his unit's area: a link in another station's village is not that village."""
    linked = HouseholdFactory(village=village_b)
    HouseholdLinkFactory(officer=bob, household=linked)
    neighbour = HouseholdFactory(village=village_b)
    visible = set(households_visible_to(bob))
    assert linked in visible and neighbour not in visible


def test_leader_topic_visit_outside_his_links_still_takes_a_reason(bureau_leader, charlie_household):
    from tests.visits.test_visits import details, log
    from visits.services import VisitError

    with pytest.raises(VisitError):
        log(bureau_leader, charlie_household)
    visit, _ = log(bureau_leader, charlie_household, details=details(outside_links_reason="专题家访:治安防范"))
    assert visit.is_outside_links


def test_diary_hides_corrections_of_a_household_no_longer_in_reach(client, alice, alice_household):
    from tests.visits.test_visits import log

    log(alice, alice_household, facts={"address": "旧地址改新地址"})
    client.force_login(alice)
    assert "旧地址改新地址" in client.get(reverse("visits:diary")).content.decode()
    alice_household.links.update(end_date=timezone.localdate() - timedelta(days=1))
    body = client.get(reverse("visits:diary")).content.decode()
    assert "旧地址改新地址" not in body
    assert "旧地址改新地址" not in client.get(alice.visits.get().get_absolute_url()).content.decode()


def test_the_diary_counts_each_visit_s_corrections_on_its_own(alice, alice_household):
    """Counted per visit shown (a subquery), not by grouping every visit of the user: a visit without corrections
    counts 0, one with two counts 2, the hidden ones included."""
    from tests.visits.test_visits import log
    from visits.selectors import diary_entries

    two, _ = log(alice, alice_household, facts={"address": "新地址", "members_count": 7})
    none, _ = log(alice, alice_household)
    alice_household.links.update(end_date=timezone.localdate() - timedelta(days=1))

    counts = {visit.pk: visit.correction_count for visit in diary_entries(user=alice)}
    assert counts == {two.pk: 2, none.pk: 0}
