"""Two heads (or one head's double tap) assigning the same village at the same moment: each household ends with
exactly one active officer link, and every household is counted once as assigned, by one of them."""

import pytest

from jingshi_jiafang.core.assignment import BulkAssignment, households_assign_in_bulk
from jingshi_jiafang.core.models import HouseholdLink, User
from tests.conftest import run_at_once
from tests.core.factories import HouseholdFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_assignments_of_one_village_at_once_link_each_household_once(alice, bob, village_a):
    households = [HouseholdFactory(village=village_a) for _ in range(20)]
    other_head = UserFactory(role=User.Role.OFFICER, unit=bob.unit, is_unit_head=True)
    other_officer = UserFactory(role=User.Role.OFFICER, unit=alice.unit)
    ids = [h.pk for h in households]
    results = run_at_once(
        lambda job: households_assign_in_bulk(village=village_a, officer=job[1], household_ids=ids, actor=job[0]),
        [(bob, alice), (other_head, other_officer)],
    )
    assert all(isinstance(result, BulkAssignment) for result in results), results
    assert sum(result.assigned for result in results) == 20
    assert sum(result.skipped for result in results) == 20
    for household in households:
        assert HouseholdLink.objects.active().filter(household=household).count() == 1
