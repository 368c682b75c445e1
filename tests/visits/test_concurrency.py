import threading

import pytest
from django.db import connection

from tests.visits.factories import UserFactory
from visits.models import HouseholdLink, User
from visits.services import LinkError, household_assign_officer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_reassignments_leave_one_open_link(alice_household, village_a):
    officers = [UserFactory(role=User.Role.OFFICER, unit=village_a.unit) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def reassign(officer):
        try:
            barrier.wait()
            household_assign_officer(household=alice_household, officer=officer)
            outcomes.append("assigned")
        except LinkError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=reassign, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["assigned", "refused"]
    assert HouseholdLink.objects.filter(household=alice_household, end_date__isnull=True).count() == 1
