"""A matter carries its household's village, so that the dashboard's funnel need not read households."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from feedback.models import Matter
from tests.core.factories import HouseholdFactory
from tests.evaluation.summaries_data import matter

pytestmark = pytest.mark.django_db


def test_a_matter_takes_its_households_village_and_none_without_one(village_a, village_b):
    household = HouseholdFactory(village=village_a)
    with_household = matter(unit=village_a.unit, household=household, created=timezone.now())
    talk_room = matter(unit=village_b.unit, household=None, created=timezone.now())
    assert Matter.objects.get(pk=with_household.pk).village == village_a
    assert Matter.objects.get(pk=talk_room.pk).village is None


def test_the_migration_gives_existing_matters_their_households_village(village_a, village_b):
    copy_villages = importlib.import_module("feedback.migrations.0005_matter_village").copy_villages
    made = [
        matter(unit=v.unit, household=HouseholdFactory(village=v), created=timezone.now())
        for v in (village_a, village_b)
    ]
    Matter.objects.update(village=None)
    copy_villages(apps, None)
    assert [Matter.objects.get(pk=m.pk).village for m in made] == [village_a, village_b]
