"""批量分配责任民警: the service. bob heads station A (alice's station); charlie is an officer of station B."""

import pytest
from django.utils import timezone

from jingshi_jiafang.core.assignment import households_assign_in_bulk, unlinked_by_village, unlinked_households
from jingshi_jiafang.core.models import Area, AuditEntry, HouseholdLink, User
from jingshi_jiafang.core.services import LinkError
from tests.core.factories import HouseholdFactory, HouseholdLinkFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unlinked(village_a):
    return [HouseholdFactory(village=village_a) for _ in range(3)]


def test_unlinked_households_leave_out_current_and_planned_links_but_not_ended_ones(village_a, alice, unlinked):
    today = timezone.localdate()
    current, planned, ended = (HouseholdFactory(village=village_a) for _ in range(3))
    HouseholdLinkFactory(household=current, officer=alice)
    HouseholdLinkFactory(household=planned, officer=alice, start_date=today + timezone.timedelta(days=3))
    HouseholdLinkFactory(
        household=ended,
        officer=alice,
        start_date=today - timezone.timedelta(days=30),
        end_date=today - timezone.timedelta(days=1),
    )
    found = set(unlinked_households(villages=Area.objects.filter(pk=village_a.pk)))
    assert found == {*unlinked, ended}


def test_the_count_per_village_is_one_query_and_skips_villages_with_none(
    bob, village_a, unlinked, django_assert_num_queries
):
    other = VillageFactory(parent=village_a.parent, unit=village_a.unit)
    HouseholdFactory(village=other)
    fully_linked = VillageFactory(parent=village_a.parent, unit=village_a.unit)
    HouseholdLinkFactory(household=HouseholdFactory(village=fully_linked))
    with django_assert_num_queries(1):
        rows = unlinked_by_village(head=bob)
    assert [(row.village_id, row.unlinked) for row in rows] == sorted(
        [(village_a.pk, 3), (other.pk, 1)], key=lambda r: Area.objects.get(pk=r[0]).code
    )


def test_a_head_assigns_the_households_and_one_audit_entry_counts_them(bob, alice, village_a, unlinked):
    result = households_assign_in_bulk(
        village=village_a, officer=alice, household_ids=[h.pk for h in unlinked], actor=bob
    )
    assert (result.assigned, result.skipped) == (3, 0)
    links = HouseholdLink.objects.filter(household__in=unlinked)
    assert {(link.officer_id, link.start_date, link.end_date) for link in links} == {
        (alice.pk, timezone.localdate(), None)
    }
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SCOPE_CHANGED)
    assert entry.actor == bob
    assert entry.detail["change"] == "bulk_assign" and entry.detail["assigned"] == 3 and entry.detail["skipped"] == 0
    assert entry.detail["officer"] == "alice"


def test_a_second_submission_skips_and_counts_what_the_first_assigned(bob, alice, village_a, unlinked):
    ids = [h.pk for h in unlinked]
    households_assign_in_bulk(village=village_a, officer=alice, household_ids=ids, actor=bob)
    again = households_assign_in_bulk(village=village_a, officer=alice, household_ids=ids, actor=bob)
    assert (again.assigned, again.skipped) == (0, 3)
    assert HouseholdLink.objects.filter(household__in=unlinked).count() == 3


def test_a_household_linked_meanwhile_keeps_its_officer(bob, alice, village_a, unlinked):
    other_officer = UserFactory(unit=alice.unit)
    HouseholdLinkFactory(household=unlinked[0], officer=other_officer)
    result = households_assign_in_bulk(
        village=village_a, officer=alice, household_ids=[h.pk for h in unlinked], actor=bob
    )
    assert (result.assigned, result.skipped) == (2, 1)
    assert HouseholdLink.objects.get(household=unlinked[0]).officer == other_officer


def test_an_officer_of_another_station_cannot_be_given_households(bob, charlie, village_a, unlinked):
    with pytest.raises(LinkError, match="不是本单位的民警"):
        households_assign_in_bulk(village=village_a, officer=charlie, household_ids=[unlinked[0].pk], actor=bob)
    assert not HouseholdLink.objects.exists()


def test_a_village_of_another_station_cannot_be_assigned(bob, alice, village_b):
    household = HouseholdFactory(village=village_b)
    with pytest.raises(LinkError, match="不在本单位辖区内"):
        households_assign_in_bulk(village=village_b, officer=alice, household_ids=[household.pk], actor=bob)


def test_households_of_another_village_cannot_be_slipped_in(bob, alice, village_a, village_b, unlinked):
    stranger = HouseholdFactory(village=village_b)
    with pytest.raises(LinkError, match="不属于"):
        households_assign_in_bulk(
            village=village_a, officer=alice, household_ids=[unlinked[0].pk, stranger.pk], actor=bob
        )
    assert not HouseholdLink.objects.exists()


@pytest.mark.parametrize("who", ["alice", "duty", "cadre"])
def test_only_a_unit_head_assigns(request, who, alice, village_a, unlinked):
    actor = {
        "alice": lambda: alice,
        "duty": lambda: UserFactory(role=User.Role.DUTY_OFFICER, unit=alice.unit, is_unit_head=True),
        "cadre": lambda: UserFactory(role=User.Role.CADRE, unit=alice.unit, is_unit_head=True),
    }[who]()
    with pytest.raises(LinkError, match="单位负责人"):
        households_assign_in_bulk(village=village_a, officer=alice, household_ids=[unlinked[0].pk], actor=actor)
