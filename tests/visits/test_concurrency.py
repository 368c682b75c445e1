import pytest

from jingshi_jiafang.core.models import HouseholdLink, User
from jingshi_jiafang.core.services import LinkError, household_assign_officer
from tests.conftest import run_at_once
from tests.core.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_reassignments_leave_one_open_link(alice_household, bob, village_a):
    officers = [UserFactory(role=User.Role.OFFICER, unit=village_a.unit) for _ in range(2)]
    results = run_at_once(
        lambda officer: household_assign_officer(household=alice_household, officer=officer, actor=bob), officers
    )
    assert sorted(type(result).__name__ for result in results) == ["HouseholdLink", LinkError.__name__]
    assert HouseholdLink.objects.filter(household=alice_household, end_date__isnull=True).count() == 1
