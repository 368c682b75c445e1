"""factory_boy factories for the evaluation centre's records."""

import datetime

import factory
from django.utils import timezone

from evaluation.models import Callback
from jingshi_jiafang.core.models import User
from tests.core.factories import BureauFactory, UserFactory
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
    return services.matter_close(matter=matter, actor=assignee, result="已修好", reply_method="in_person")


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


# Questionnaires and field checks.


def _standard_questionnaires_installed():
    """The standard questionnaires come from a data migration, which a transactional test's flush removes; a test
    that runs after one installs them again with the migration's own function (found by name, which the
    integrator's renumbering keeps)."""
    import importlib
    import pkgutil

    from django.apps import apps

    import evaluation.migrations
    from evaluation.models import QuestionnaireTemplate

    if QuestionnaireTemplate.objects.exists():
        return
    (name,) = [
        module.name
        for module in pkgutil.iter_modules(evaluation.migrations.__path__)
        if module.name.endswith("_questionnaires_field_checks")
    ]
    importlib.import_module(f"evaluation.migrations.{name}").seed_standard_questionnaires(apps, None)


def standard_template():
    """The standard bureau questionnaire the data migration installs."""
    from evaluation.models import QuestionnaireTemplate

    _standard_questionnaires_installed()
    return QuestionnaireTemplate.objects.get(name="群众安全感和满意度调查(标准问卷)")


def short_template():
    """The short questionnaire: one security question (安全感), two satisfaction questions (满意度)."""
    from evaluation.models import QuestionnaireTemplate

    _standard_questionnaires_installed()
    return QuestionnaireTemplate.objects.get(name="警事家访回访问卷(简版)")


def option(question, label: str) -> int:
    """The id of the option of `question`'s scale labelled `label`."""
    return question.scale.options.get(label=label).pk


def answers_by_label(template, labels: list[str]) -> dict[int, int]:
    """question id → option id, the labels in question order ("" leaves a question unanswered)."""
    questions = list(template.questions.select_related("scale"))
    return {q.pk: option(q, label) for q, label in zip(questions, labels, strict=True) if label}


class EvaluatorFactory(UserFactory):
    """A member of the evaluation centre (民意访评中心), at the bureau."""

    username = factory.Sequence(lambda n: f"evaluator{n}")
    name = factory.Sequence(lambda n: f"访评员{n}")
    role = User.Role.EVALUATOR
    unit = factory.SubFactory(BureauFactory)
