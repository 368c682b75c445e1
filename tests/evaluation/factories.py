"""factory_boy factories for the evaluation centre's records."""

import datetime

import factory
from django.utils import timezone

from evaluation.models import Callback
from tests.visits.factories import VisitFactory


class VisitCallbackFactory(factory.django.DjangoModelFactory):
    """A next-day callback of a visit, due the day after it."""

    class Meta:
        model = Callback

    source = Callback.Source.VISIT
    visit = factory.SubFactory(VisitFactory)
    household = factory.SelfAttribute("visit.household")
    village = factory.SelfAttribute("visit.village")
    unit = factory.SelfAttribute("visit.unit")
    worker = factory.SelfAttribute("visit.visitor")
    source_date = factory.LazyAttribute(lambda callback: timezone.localtime(callback.visit.visited_at).date())
    due_date = factory.LazyAttribute(lambda callback: callback.source_date + datetime.timedelta(days=1))
