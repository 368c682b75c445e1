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


# The daily review (每日研判): callbacks as the callback pages leave them, for a review to count.


def called_back(callback, *, day, caller, reached=True, visit_check="", satisfaction="", gave_up=False):
    """One call on `day`: a reached call finishes the callback with its results, as the callback form does."""
    from datetime import datetime, time

    from evaluation.models import CallbackAttempt

    called_at = timezone.make_aware(datetime.combine(day, time(9, 30)))
    CallbackAttempt.objects.create(
        callback=callback, caller=caller, called_at=called_at, call_date=day, reached=reached, gave_up=gave_up
    )
    callback.attempts += 1
    if reached:
        callback.state = Callback.State.DONE
        callback.visit_check = visit_check
        callback.satisfaction = satisfaction
        callback.done_by = caller
        callback.done_at = called_at
    elif gave_up:
        callback.state = Callback.State.GIVEN_UP
    callback.save()
    return callback
