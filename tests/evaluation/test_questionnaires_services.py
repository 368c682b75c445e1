"""Questionnaires through their services and selectors: the reproducible draw, nobody asked twice about the same
time, answers recorded once with their audit entry, and the indices' arithmetic on a hand-computed case."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from evaluation.models import Answer, QuestionnaireResponse, SampledHousehold
from evaluation.selectors.questionnaires import (
    area_indices,
    index_trend,
    questionnaire_breakdown,
    questionnaire_progress,
)
from evaluation.services.questionnaires import (
    QuestionnaireError,
    attempt_record,
    households_available,
    questionnaire_create,
    response_record,
)
from jingshi_jiafang.core.models import AuditEntry, User
from tests.core.factories import HouseholdFactory, TownFactory, UserFactory, VillageFactory
from tests.evaluation.factories import EvaluatorFactory, answers_by_label, short_template, standard_template

pytestmark = pytest.mark.django_db

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def evaluator():
    return EvaluatorFactory()


@pytest.fixture
def county():
    """Two towns, three villages, 10 households in each village."""
    east, west = TownFactory(name="东关镇"), TownFactory(name="西关镇")
    villages = [VillageFactory(parent=east, name="东湖村"), VillageFactory(parent=east, name="东岭村")]
    villages.append(VillageFactory(parent=west, name="西湖村"))
    for village in villages:
        HouseholdFactory.create_batch(10, village=village)
    return {"east": east, "west": west, "villages": villages}


def _make(evaluator, *, area=None, period=NOVEMBER, size=5, seed=42, template=None):
    start, end = period
    return questionnaire_create(
        template=template or standard_template(),
        area=area,
        start=start,
        end=end,
        sample_size=size,
        actor=evaluator,
        seed=seed,
    )


def _drawn(questionnaire) -> list[int]:
    return list(questionnaire.samples.order_by("position").values_list("household_id", flat=True))


def test_the_standard_questionnaires_exist_on_a_fresh_install():
    template = standard_template()
    indices = set(template.questions.values_list("index", flat=True))
    assert indices == {"security", "satisfaction", "none"}
    assert list(short_template().questions.values_list("scale__name", flat=True)) == ["安全感", "满意度", "满意度"]


def test_the_same_seed_draws_the_same_households(evaluator, county):
    first = _make(evaluator, seed=7, period=(date(2026, 9, 1), date(2026, 9, 30)))
    again = _make(evaluator, seed=7, period=(date(2026, 10, 1), date(2026, 10, 31)))
    other = _make(evaluator, seed=8, period=(date(2026, 11, 1), date(2026, 11, 30)))
    assert _drawn(first) == _drawn(again)
    assert len(set(_drawn(first))) == 5
    assert _drawn(other) != _drawn(first)
    assert first.seed == 7


def test_the_draw_takes_only_the_areas_households(evaluator, county):
    town = _make(evaluator, area=county["east"], size=30)
    village = _make(evaluator, area=county["villages"][2], size=30, period=(date(2026, 12, 1), date(2026, 12, 31)))
    assert town.sample_size == 20  # all there is in the town's two villages
    assert set(town.samples.values_list("village__parent", flat=True)) == {county["east"].pk}
    assert set(village.samples.values_list("village", flat=True)) == {county["villages"][2].pk}


def test_a_household_is_not_asked_twice_in_overlapping_periods(evaluator, county):
    village = county["villages"][0]
    first = _make(evaluator, area=village, size=6, period=(date(2026, 11, 1), date(2026, 11, 30)))
    overlapping = _make(evaluator, area=village, size=10, period=(date(2026, 11, 20), date(2026, 12, 10)))
    assert overlapping.sample_size == 4
    assert not set(_drawn(first)) & set(_drawn(overlapping))
    with pytest.raises(QuestionnaireError, match="没有可抽取的住户"):
        _make(evaluator, area=village, size=1, period=(date(2026, 11, 30), date(2026, 11, 30)))
    # The month after, everybody may be asked again.
    later = _make(evaluator, area=village, size=10, period=(date(2026, 12, 11), date(2026, 12, 31)))
    assert later.sample_size == 10
    available = households_available(area=village, start=date(2026, 11, 15), end=date(2026, 11, 15))
    assert available.count() == 4


def test_only_the_evaluation_centre_makes_questionnaires(county):
    leader = UserFactory(role=User.Role.LEADER)
    with pytest.raises(QuestionnaireError, match="民意访评中心"):
        _make(leader)


def test_a_period_ending_before_it_starts_is_refused(evaluator, county):
    with pytest.raises(QuestionnaireError, match="结束日期"):
        _make(evaluator, period=(date(2026, 11, 2), date(2026, 11, 1)))


def test_an_answer_is_recorded_once_with_its_audit_entry(evaluator, county):
    questionnaire = _make(evaluator, template=short_template())
    sample = questionnaire.samples.first()
    answers = answers_by_label(short_template(), ["安全", "满意", "基本满意"])
    response = response_record(sample=sample, actor=evaluator, outcome="answered", method="phone", answers=answers)
    assert response.answers.count() == 3
    entry = AuditEntry.objects.get(object_type="evaluation.SampledHousehold", object_id=str(sample.pk))
    assert entry.detail["to"] == "answered" and entry.actor == evaluator
    with pytest.raises(QuestionnaireError, match="不能重复提交"):
        response_record(sample=sample, actor=evaluator, outcome="answered", method="phone", answers=answers)
    assert QuestionnaireResponse.objects.filter(sample=sample).count() == 1
    assert Answer.objects.count() == 3
    assert AuditEntry.objects.filter(object_type="evaluation.SampledHousehold").count() == 1


def test_refused_and_unreachable_are_recorded_without_answers(evaluator, county):
    questionnaire = _make(evaluator, template=short_template())
    refused, unreachable, third = questionnaire.samples.all()[:3]
    response_record(sample=refused, actor=evaluator, outcome="refused", method="phone")
    response_record(sample=unreachable, actor=evaluator, outcome="unreachable", method="phone", note="空号")
    with pytest.raises(QuestionnaireError, match="不能录入答案"):
        response_record(
            sample=third,
            actor=evaluator,
            outcome="refused",
            method="phone",
            answers=answers_by_label(short_template(), ["安全", "", ""]),
        )
    progress = questionnaire_progress(questionnaire=questionnaire)
    assert progress == {
        "sampled": 5,
        "recorded": 2,
        "answered": 0,
        "refused": 1,
        "unreachable": 1,
        "pending": 3,
    }


def test_an_option_of_another_scale_is_refused(evaluator, county):
    questionnaire = _make(evaluator, template=short_template())
    questions = list(short_template().questions.all())
    satisfaction_option = questions[1].scale.options.first().pk
    with pytest.raises(QuestionnaireError, match="第 1 题"):
        response_record(
            sample=questionnaire.samples.first(),
            actor=evaluator,
            outcome="answered",
            method="paper",
            answers={questions[0].pk: satisfaction_option},
        )
    assert not QuestionnaireResponse.objects.exists()


def _answer(evaluator, sample, labels):
    return response_record(
        sample=sample,
        actor=evaluator,
        outcome="answered",
        method="phone",
        answers=answers_by_label(short_template(), labels),
    )


def test_indices_are_the_mean_score_of_the_answers_feeding_them(evaluator, county):
    """Scores: 很安全 100, 安全 80, 基本安全 60, 不安全 30; 满意 100, 基本满意 70, 不满意 0.

    household 1: 很安全, 满意, 基本满意  → security 100; satisfaction 100, 70
    household 2: 不安全, 不满意, (none) → security 30;  satisfaction 0
    household 3: 基本安全, —, 满意      → security 60;  satisfaction 100
    household 4: refused (not counted)
    security = (100 + 30 + 60) / 3 = 63.3; satisfaction = (100 + 70 + 0 + 100) / 4 = 67.5; 3 responses.
    """
    questionnaire = _make(evaluator, template=short_template(), size=5)
    samples = list(questionnaire.samples.order_by("position"))
    _answer(evaluator, samples[0], ["很安全", "满意", "基本满意"])
    _answer(evaluator, samples[1], ["不安全", "不满意", ""])
    _answer(evaluator, samples[2], ["基本安全", "", "满意"])
    response_record(sample=samples[3], actor=evaluator, outcome="refused", method="phone")

    county_indices = area_indices(area=None, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert county_indices == {"security": 63.3, "satisfaction": 67.5, "responses": 3}
    # Outside the period: nothing.
    assert area_indices(area=None, start=date(2026, 10, 1), end=date(2026, 10, 31)) == {
        "security": None,
        "satisfaction": None,
        "responses": 0,
    }
    # By area: the sum of the towns' responses is the county's.
    towns = [area_indices(area=county[t], start=date(2026, 11, 1), end=date(2026, 11, 30)) for t in ("east", "west")]
    assert sum(t["responses"] for t in towns) == 3
    village = SampledHousehold.objects.get(pk=samples[0].pk).village
    assert area_indices(area=village, start=date(2026, 11, 1), end=date(2026, 11, 30))["responses"] >= 1


def test_a_county_questionnaire_breaks_down_by_town(evaluator, county):
    questionnaire = _make(evaluator, template=short_template(), size=30)
    samples = questionnaire.samples.select_related("village__parent")
    east = [s for s in samples if s.village.parent_id == county["east"].pk]
    west = [s for s in samples if s.village.parent_id == county["west"].pk]
    _answer(evaluator, east[0], ["很安全", "满意", "满意"])
    _answer(evaluator, east[1], ["基本安全", "基本满意", "不满意"])
    _answer(evaluator, west[0], ["不安全", "不满意", "基本满意"])
    rows = {row["area"]: row for row in questionnaire_breakdown(questionnaire=questionnaire)}
    assert rows["东关镇"] == {
        "area": "东关镇",
        "sampled": 20,
        "security": 80.0,
        "satisfaction": 67.5,
        "responses": 2,
    }
    assert rows["西关镇"]["security"] == 30.0 and rows["西关镇"]["satisfaction"] == 35.0
    assert rows["西关镇"]["responses"] == 1 and rows["西关镇"]["sampled"] == 10


def test_index_trend_gives_every_month_oldest_first(evaluator, county):
    september = _make(evaluator, template=short_template(), period=(date(2026, 9, 1), date(2026, 9, 30)), size=2)
    november = _make(evaluator, template=short_template(), period=(date(2026, 11, 1), date(2026, 11, 30)), size=2)
    _answer(evaluator, september.samples.first(), ["不安全", "不满意", "不满意"])
    _answer(evaluator, november.samples.first(), ["很安全", "满意", "满意"])
    trend = index_trend(area=None, months=3, today=date(2026, 11, 29))
    assert [row["month"] for row in trend] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert [row["security"] for row in trend] == [30.0, None, 100.0]
    assert [row["satisfaction"] for row in trend] == [0.0, None, 100.0]
    assert [row["responses"] for row in trend] == [1, 0, 1]


def test_question_results_count_each_option_and_average_the_scores(evaluator, county):
    from evaluation.selectors.questionnaires import question_results

    questionnaire = _make(evaluator, template=short_template(), size=5)
    samples = list(questionnaire.samples.order_by("position"))
    _answer(evaluator, samples[0], ["很安全", "满意", ""])
    _answer(evaluator, samples[1], ["不安全", "满意", "不满意"])
    first, second, third = question_results(questionnaire=questionnaire)
    assert first["options"] == [("很安全", 1), ("安全", 0), ("基本安全", 0), ("不安全", 1), ("很不安全", 0)]
    assert (first["answers"], first["mean"]) == (2, 65.0)
    assert (second["answers"], second["mean"]) == (2, 100.0)
    assert (third["answers"], third["mean"]) == (1, 0.0)


def test_an_unknown_method_or_outcome_is_refused(evaluator, county):
    sample = _make(evaluator, template=short_template()).samples.first()
    with pytest.raises(QuestionnaireError, match="电话或纸质问卷"):
        response_record(sample=sample, actor=evaluator, outcome="refused", method="email")
    with pytest.raises(QuestionnaireError, match="作答结果"):
        response_record(sample=sample, actor=evaluator, outcome="maybe", method="phone")
    assert not QuestionnaireResponse.objects.exists()


def test_no_answer_or_missed_call_is_recorded_before_the_period_starts(evaluator, county):
    tomorrow = timezone.localdate() + timedelta(days=1)
    questionnaire = _make(evaluator, template=short_template(), period=(tomorrow, tomorrow + timedelta(days=30)))
    sample = questionnaire.samples.first()
    answers = answers_by_label(short_template(), ["安全", "满意", "基本满意"])

    with pytest.raises(QuestionnaireError, match="开始前不能录入答卷"):
        response_record(sample=sample, actor=evaluator, outcome="answered", method="phone", answers=answers)
    with pytest.raises(QuestionnaireError, match="开始前不能录入答卷"):
        attempt_record(sample=sample, actor=evaluator, number=1)
    assert not QuestionnaireResponse.objects.exists()
