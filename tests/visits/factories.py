"""factory_boy factories for visits: visits and night-visit plans."""

from datetime import timedelta

import factory
from django.utils import timezone

from tests.core.factories import HouseholdFactory, OrganisationFactory, UserFactory, VillageFactory
from visits.models import NightVisitPlan, Visit


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    visitor = factory.SubFactory(UserFactory)
    household = factory.SubFactory(HouseholdFactory)
    village = factory.SelfAttribute("household.village")
    unit = factory.SelfAttribute("visitor.unit")
    kind = Visit.Kind.DAY
    visited_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    people_met = "户主本人"


def next_night_date(after=None):
    from visits.night import night_dates

    return night_dates((after or timezone.localdate()) + timedelta(days=1), weeks=1)[0]


class NightVisitPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NightVisitPlan

    officer = factory.SubFactory(UserFactory)
    village = factory.SubFactory(VillageFactory)
    date = factory.LazyFunction(next_night_date)
    unit = factory.SelfAttribute("planned_by.unit")
    planned_by = factory.SubFactory(UserFactory, is_unit_head=True)


class OrganisationVisitFactory(VisitFactory):
    """A visit to an organisation (单位走访): no household."""

    household = None
    organisation = factory.SubFactory(OrganisationFactory)
    village = factory.SelfAttribute("organisation.village")
    people_met = "校长"
