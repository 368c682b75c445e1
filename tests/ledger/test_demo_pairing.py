"""The demo's pairs: a year of contacts and pairing visits, none of them later than the moment of seeding."""

import random
from datetime import date, datetime, time
from unittest import mock

import pytest
from django.utils import timezone

from ledger.demo_pairing import seed_pairing
from tests.core.factories import HouseholdLinkFactory, StationFactory, VillageFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db

# The first of a month: this month's pairing visit, when a pair makes it, falls on the day of seeding.
TODAY = date(2026, 3, 1)


def test_a_county_seeded_early_in_the_morning_has_no_pairing_visit_later_that_day():
    """Seeded at 06:00, a pairing visit of the day at a working hour (9–17h) would be in the future: the diary
    and the household's timeline showed visits made later that day."""
    StationFactory()
    village = VillageFactory()
    for _ in range(100):
        HouseholdLinkFactory(household__village=village, start_date=date(2024, 1, 1))
    seeding = timezone.make_aware(datetime.combine(TODAY, time(6)))
    with mock.patch("django.utils.timezone.now", return_value=seeding):
        seed_pairing(rng=random.Random(7), today=TODAY)
    visits = Visit.objects.filter(kind=Visit.Kind.PAIRING)
    assert visits.filter(visited_at__date__gte=date(2026, 2, 28)).exists()  # the day's visits, an hour back
    assert not visits.filter(visited_at__gt=seeding).exists()
    assert not visits.filter(created_at__gt=seeding).exists()
