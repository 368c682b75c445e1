"""Scores: the arithmetic of a hand-built month, weights as data, idempotence, frozen months."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from evaluation.models import Metric, Score, ScoreMonth, ScoreWeight, SubjectKind
from evaluation.services.scores import (
    ScoreError,
    score_month_close,
    score_weight_set,
    scores_compute,
    scores_recompute_closed,
)
from evaluation.tasks import compute_scores_task
from jingshi_jiafang.core.models import AuditEntry, HouseholdLink, User
from tests.core.factories import HouseholdFactory, HouseholdLinkFactory, UserFactory
from tests.evaluation.scores_month import MONTH, TODAY, at, build_month
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(alice, bob, village_a):
    return build_month(alice=alice, bob=bob, village_a=village_a)


@pytest.fixture
def charlie_household(charlie, village_b):
    # Linked from a fixed day, as the months scored here are fixed: the shared fixture's link starts 30 days
    # before today, which left October behind from December on.
    household = HouseholdFactory(village=village_b, head_name="乙户主")
    HouseholdLinkFactory(officer=charlie, household=household, start_date=date(2026, 9, 1))
    return household


def _score(kind, subject, start=MONTH, period=Score.Period.MONTH) -> Score:
    field = "unit" if kind == SubjectKind.UNIT else "user"
    return Score.objects.get(period=period, period_start=start, subject_kind=kind, **{field: subject})


def _parts(score: Score) -> dict:
    return {c.metric: (c.numerator, c.denominator, c.value, c.points) for c in score.components.all()}


def test_officer_score_of_a_hand_built_month_is_exact(month, alice):
    scores_compute(month=MONTH, today=TODAY)
    score = _score(SubjectKind.OFFICER, alice)
    assert _parts(score) == {
        Metric.VISIT_COVERAGE: (3, 4, Decimal("0.7500"), Decimal("18.75")),
        Metric.NIGHT_COMPLIANCE: (1, 2, Decimal("0.5000"), Decimal("7.50")),
        Metric.CALLBACK_CONFIRMED: (1, 2, Decimal("0.5000"), Decimal("10.00")),
        Metric.SATISFACTION: (1, 2, Decimal("0.5000"), Decimal("7.50")),
        Metric.MATTERS_ON_TIME: (1, 2, Decimal("0.5000"), Decimal("7.50")),
        Metric.LEDGER_ON_TIME: (1, 3, Decimal("0.3333"), Decimal("3.33")),
        Metric.FALSE_VISITS: (1, 2, None, Decimal("-5.00")),
    }
    # 18.75 + 7.5 + 10 + 7.5 + 7.5 + 3.333… − 5, rounded once.
    assert score.total == Decimal("49.58")
    assert score.unit == alice.unit and score.town == alice.unit.areas.get().parent


def test_unit_scores_count_everything_of_the_unit_and_roll_up_to_the_station(month, village_a, station_a):
    scores_compute(month=MONTH, today=TODAY)
    room = _score(SubjectKind.UNIT, village_a.unit)
    # Coverage of the unit is its villages' households visited by anyone: 3 of 5 (the unlinked one counts).
    assert _parts(room)[Metric.VISIT_COVERAGE] == (3, 5, Decimal("0.6000"), Decimal("15.00"))
    assert _parts(room)[Metric.FALSE_VISITS][3] == Decimal("-2.00")
    # 15 + 7.5 + 7.5 + 7.5 + 7.5 + 5 − 2
    assert room.total == Decimal("48.00")
    assert _score(SubjectKind.UNIT, station_a).total == Decimal("48.00")


def test_a_metric_without_data_gives_its_weight_to_the_others(charlie, charlie_household):
    VisitFactory(visitor=charlie, household=charlie_household, visited_at=at(date(2026, 10, 3)))
    scores_compute(month=MONTH, today=TODAY)
    score = _score(SubjectKind.OFFICER, charlie)
    parts = _parts(score)
    assert parts[Metric.VISIT_COVERAGE] == (1, 1, Decimal("1.0000"), Decimal("100.00"))
    assert parts[Metric.NIGHT_COMPLIANCE] == (0, 0, None, Decimal("0.00"))
    assert score.total == Decimal("100.00")


def test_cadre_is_scored_on_the_villages_linked_to_them(month, village_a):
    from tests.core.factories import AreaLinkFactory

    cadre = UserFactory(role=User.Role.CADRE, unit=village_a.unit.parent.parent)
    AreaLinkFactory(user=cadre, area=village_a, start_date=date(2026, 1, 1))
    scores_compute(month=MONTH, today=TODAY)
    parts = _parts(_score(SubjectKind.CADRE, cadre))
    assert parts[Metric.VISIT_COVERAGE][:2] == (3, 5)
    assert parts[Metric.CALLBACK_CONFIRMED][:2] == (1, 2)
    assert parts[Metric.MATTERS_ON_TIME][:2] == (1, 2)
    assert parts[Metric.PAIRING][:2] == (0, 0)


def test_someone_with_nothing_to_measure_is_listed_without_a_total_or_a_rank(month, charlie):
    scores_compute(month=MONTH, today=TODAY)
    score = _score(SubjectKind.OFFICER, charlie)
    assert score.total is None and score.rank is None and not score.is_ranked
    assert score.unranked_reason == "本月没有联系户"
    assert all(c.value is None and c.points == 0 for c in score.components.all())


def test_an_officer_without_households_is_not_ranked_above_those_who_visit(month, alice, bob):
    """The walkthrough's first place: a station head with no linked households, whose one matter was closed in
    time, scored 100 on that matter alone and ranked above the officers who visited."""
    from feedback.models import Matter

    Matter.objects.create(
        reference="M-BOB",
        content="门前积水",
        channel=Matter.Channel.VISIT,
        unit=bob.unit,
        assignee=bob,
        state=Matter.State.CLOSED,
        deadline=at(date(2026, 10, 10)),
        closed_at=at(date(2026, 10, 9)),
        result="已疏通",
    )
    scores_compute(month=MONTH, today=TODAY)
    head = _score(SubjectKind.OFFICER, bob)
    assert _parts(head)[Metric.MATTERS_ON_TIME] == (1, 1, Decimal("1.0000"), Decimal("0.00"))
    assert _parts(head)[Metric.VISIT_COVERAGE] == (0, 0, None, Decimal("0.00"))
    assert head.total is None and head.rank is None
    assert _score(SubjectKind.OFFICER, alice).rank == 1


def test_linked_households_without_a_visit_score_zero_coverage_and_are_ranked(month, alice, charlie, charlie_household):
    scores_compute(month=MONTH, today=TODAY)
    score = _score(SubjectKind.OFFICER, charlie)
    assert _parts(score)[Metric.VISIT_COVERAGE] == (0, 1, Decimal("0.0000"), Decimal("0.00"))
    assert score.total == Decimal("0.00")
    assert (_score(SubjectKind.OFFICER, alice).rank, score.rank) == (1, 2)


def test_ranks_per_kind_best_first(month, alice, charlie, charlie_household):
    VisitFactory(visitor=charlie, household=charlie_household, visited_at=at(date(2026, 10, 3)))
    scores_compute(month=MONTH, today=TODAY)
    assert _score(SubjectKind.OFFICER, charlie).rank == 1
    assert _score(SubjectKind.OFFICER, alice).rank == 2


def test_annual_score_is_the_mean_of_the_months(charlie, charlie_household):
    HouseholdLink.objects.filter(officer=charlie).update(start_date=date(2026, 1, 1))
    VisitFactory(visitor=charlie, household=charlie_household, visited_at=at(date(2026, 10, 3)))
    scores_compute(month=date(2026, 9, 1), today=TODAY)  # September: linked, not visited → 0
    scores_compute(month=MONTH, today=TODAY)  # October: 100
    year = _score(SubjectKind.OFFICER, charlie, start=date(2026, 1, 1), period=Score.Period.YEAR)
    assert year.total == Decimal("50.00") and year.months == 2
    assert _parts(year)[Metric.VISIT_COVERAGE] == (1, 2, Decimal("0.5000"), Decimal("50.00"))


def test_a_month_not_ranked_does_not_count_in_the_year(charlie, charlie_household):
    HouseholdLink.objects.filter(officer=charlie).update(start_date=MONTH)
    VisitFactory(visitor=charlie, household=charlie_household, visited_at=at(date(2026, 10, 3)))
    scores_compute(month=date(2026, 9, 1), today=TODAY)  # September: not linked yet → not ranked
    scores_compute(month=MONTH, today=TODAY)  # October: 100
    assert _score(SubjectKind.OFFICER, charlie, start=date(2026, 9, 1)).rank is None
    year = _score(SubjectKind.OFFICER, charlie, start=date(2026, 1, 1), period=Score.Period.YEAR)
    assert year.total == Decimal("100.00") and year.months == 1 and year.rank == 1


def test_computing_twice_changes_nothing_through_the_task_and_the_command(month, alice):
    assert compute_scores_task(MONTH.isoformat(), TODAY.isoformat()) > 0
    rows = list(Score.objects.values_list("pk", "total", "rank").order_by("pk"))
    changed_at = ScoreMonth.objects.get(month=MONTH).computed_at
    assert compute_scores_task(MONTH.isoformat(), TODAY.isoformat()) == 0
    call_command("compute_scores", "--month", "2026-10")
    call_command("compute_scores", "--month", "2026-10")
    assert list(Score.objects.values_list("pk", "total", "rank").order_by("pk")) == rows
    assert ScoreMonth.objects.get(month=MONTH).computed_at == changed_at


def test_a_correction_changes_the_open_month_on_the_next_run(month, alice):
    scores_compute(month=MONTH, today=TODAY)
    VisitFactory(visitor=alice, household=month.households[2], visited_at=at(date(2026, 10, 25)))
    assert scores_compute(month=MONTH, today=TODAY) > 0
    assert _parts(_score(SubjectKind.OFFICER, alice))[Metric.VISIT_COVERAGE][:2] == (4, 4)


def test_a_closed_month_is_frozen_and_recomputed_only_by_the_audited_action(month, alice):
    evaluator = month.evaluator
    score_month_close(month=MONTH, actor=evaluator, today=TODAY)
    before = _score(SubjectKind.OFFICER, alice).total
    VisitFactory(visitor=alice, household=month.households[2], visited_at=at(date(2026, 10, 25)))
    with pytest.raises(ScoreError, match="已关闭"):
        scores_compute(month=MONTH, today=TODAY)
    with pytest.raises(CommandError, match="已关闭"):
        call_command("compute_scores", "--month", "2026-10")
    assert _score(SubjectKind.OFFICER, alice).total == before
    with pytest.raises(ScoreError, match="理由"):
        scores_recompute_closed(month=MONTH, actor=evaluator, reason=" ", today=TODAY)
    with pytest.raises(ScoreError):
        scores_recompute_closed(month=MONTH, actor=alice, reason="补录", today=TODAY)
    assert scores_recompute_closed(month=MONTH, actor=evaluator, reason="补录了漏记的走访", today=TODAY) > 0
    assert _score(SubjectKind.OFFICER, alice).total > before
    assert ScoreMonth.objects.get(month=MONTH).is_closed
    events = [entry.detail["event"] for entry in AuditEntry.objects.filter(actor=evaluator).order_by("id")]
    assert events == ["score_month_closed", "score_month_recomputed"]
    recomputed = AuditEntry.objects.filter(actor=evaluator).order_by("id").last()
    assert recomputed.detail["reason"] == "补录了漏记的走访" and recomputed.detail["month"] == "2026-10"


def test_the_current_month_cannot_be_closed(month):
    with pytest.raises(ScoreError, match="还没有结束"):
        score_month_close(month=date(2026, 11, 1), actor=month.evaluator, today=TODAY)


def test_changing_a_weight_changes_the_next_month_not_a_frozen_one(month, alice, charlie, charlie_household):
    for day in (date(2026, 10, 3), date(2026, 11, 3)):
        VisitFactory(visitor=charlie, household=charlie_household, visited_at=at(day))
    evaluator = month.evaluator
    scores_compute(month=MONTH, today=TODAY)
    score_month_close(month=MONTH, actor=evaluator, today=TODAY)
    october = _score(SubjectKind.OFFICER, alice).total
    with pytest.raises(ScoreError, match="最早从2026年11月"):
        score_weight_set(
            subject_kind=SubjectKind.OFFICER,
            metric=Metric.FALSE_VISITS,
            weight=Decimal(10),
            valid_from=MONTH,
            actor=evaluator,
        )
    score_weight_set(
        subject_kind=SubjectKind.OFFICER,
        metric=Metric.FALSE_VISITS,
        weight=Decimal(10),
        valid_from=date(2026, 11, 1),
        actor=evaluator,
        note="从严",
    )
    scores_recompute_closed(month=MONTH, actor=evaluator, reason="核对权重", today=TODAY)
    assert _score(SubjectKind.OFFICER, alice).total == october
    scores_compute(month=date(2026, 11, 1), today=date(2026, 11, 20))
    november = _score(SubjectKind.OFFICER, charlie, start=date(2026, 11, 1))
    assert {c.metric: c.weight for c in november.components.all()}[Metric.FALSE_VISITS] == Decimal(10)
    entry = AuditEntry.objects.filter(detail__event="score_weight_set").get()
    assert entry.detail["before"] == "5.00" and entry.detail["weight"] == "10.00"


def test_only_the_evaluation_centre_sets_weights(alice):
    with pytest.raises(ScoreError):
        score_weight_set(
            subject_kind=SubjectKind.OFFICER,
            metric=Metric.VISIT_COVERAGE,
            weight=Decimal(1),
            valid_from=date(2026, 12, 1),
            actor=alice,
        )
    assert not ScoreWeight.objects.filter(valid_from=date(2026, 12, 1)).exists()


def test_default_weights_are_data_and_sum_to_a_hundred_per_kind():
    from evaluation.selectors.scores import DEFAULT_WEIGHTS, PENALTY_METRICS

    for kind, weights in DEFAULT_WEIGHTS.items():
        stored = dict(ScoreWeight.objects.filter(subject_kind=kind).values_list("metric", "weight"))
        assert stored == {metric: Decimal(weight) for metric, weight in weights.items()}
        assert sum(w for m, w in weights.items() if m not in PENALTY_METRICS) == 100


def test_the_month_job_is_a_fixed_number_of_queries(month, village_a):
    """Grouped queries: fifteen more officers add no query (only the writes differ: rows to update besides rows
    to create)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        scores_compute(month=MONTH, today=TODAY)
    for n in range(15):
        officer = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
        household = HouseholdFactory(village=village_a)
        HouseholdLinkFactory(officer=officer, household=household, start_date=MONTH)
        VisitFactory(visitor=officer, household=household, visited_at=at(date(2026, 10, 1 + n)))
    with CaptureQueriesContext(connection) as second:
        assert scores_compute(month=MONTH, today=TODAY) > 15
    assert len(first) <= 40
    assert len(second) <= len(first) + 4  # bulk updates of changed month and year rows and components


def test_the_demo_leaves_a_first_month_it_barely_filled_unscored(alice, village_a):
    # Walkthrough: `seed_demo --days 30` on 30 November scored October from its last day; everyone ranked 0.00 and
    # tied there, and each one's year halved.
    from evaluation.demo_scores import seed_scores

    assert seed_scores(today=date(2026, 11, 30), days=30) == 1
    assert list(ScoreMonth.objects.values_list("month", flat=True)) == [date(2026, 11, 1)]
    assert seed_scores(today=date(2026, 11, 30), days=80) == 3  # from 11 September: most of it
