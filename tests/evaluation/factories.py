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
