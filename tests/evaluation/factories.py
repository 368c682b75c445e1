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


# Next-day callbacks (次日回访).


def evaluator(**extra):
    from jingshi_jiafang.core.models import User
    from tests.core.factories import UserFactory

    extra.setdefault("name", "访评员")
    return UserFactory(role=User.Role.EVALUATOR, **extra)


def closed_matter(duty, assignee, *, household=None, content="村口路灯坏了"):
    """A matter answered and closed now (a walk-in's when no household is given)."""
    from feedback import services
    from tests.ledger.helpers import dispatched_matter

    matter = dispatched_matter(duty, assignee, household=household, content=content)
    services.matter_start(matter=matter, actor=assignee)
    return services.matter_close(matter=matter, actor=assignee, result="已修好", reply_method="phone")


def closed_item(officer, head, household, what="帮助申请危房改造补助"):
    """A ledger item delivered by `officer` and closed by `head` now."""
    from ledger import services
    from tests.ledger.helpers import delivered_item

    return services.ledger_item_close(item=delivered_item(officer, household, what), actor=head, note="核实")


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
