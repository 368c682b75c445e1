"""At the same moment on PostgreSQL: a double submit of one household's answers records one response, and two
questionnaires of overlapping periods drawn at once never take the same household."""

from datetime import date

import pytest

from evaluation.models import QuestionnaireResponse
from evaluation.services.questionnaires import QuestionnaireError, questionnaire_create, response_record
from tests.conftest import run_at_once
from tests.core.factories import HouseholdFactory
from tests.evaluation.factories import EvaluatorFactory, answers_by_label, short_template

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _make(evaluator, village, seed, template):
    return questionnaire_create(
        template=template,
        area=village,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        sample_size=6,
        actor=evaluator,
        seed=seed,
    )


def test_a_double_submit_at_once_records_one_response(village_a):
    evaluator = EvaluatorFactory()
    HouseholdFactory.create_batch(3, village=village_a)
    sample = _make(evaluator, village_a, 1, short_template()).samples.first()
    answers = answers_by_label(short_template(), ["安全", "满意", "满意"])
    results = run_at_once(
        lambda _: response_record(sample=sample, actor=evaluator, outcome="answered", method="phone", answers=answers),
        [1, 2],
    )
    assert sorted(type(r).__name__ for r in results) == ["QuestionnaireError", "QuestionnaireResponse"], results
    assert QuestionnaireResponse.objects.filter(sample=sample).count() == 1


def test_two_draws_at_once_take_different_households(village_a):
    evaluator = EvaluatorFactory()
    HouseholdFactory.create_batch(8, village=village_a)
    template = short_template()  # installed here, not by both threads at once
    results = run_at_once(lambda seed: _make(evaluator, village_a, seed, template), [11, 12])
    drawn = [
        set(r.samples.values_list("household", flat=True)) for r in results if not isinstance(r, QuestionnaireError)
    ]
    assert len(drawn) == 2, results
    assert not drawn[0] & drawn[1]
    assert len(drawn[0] | drawn[1]) == 8
