"""Writes of questionnaires (问卷调查): making one from a template with its reproducible sample, and recording what
each sampled household answered."""

import random
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Mod
from django.utils import timezone

from evaluation.models import (
    Answer,
    Method,
    Questionnaire,
    QuestionnaireAttempt,
    QuestionnaireResponse,
    QuestionnaireTemplate,
    SampledHousehold,
    ScaleOption,
)
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import Area, Household, User

# The draw orders households by (a·id + b) mod P, a and b taken from the seed: a hash of (seed, household id) that
# both PostgreSQL and SQLite compute in integer arithmetic, so a county of 600,000 households is ordered in the
# database and only the sample comes back. P is prime and a ≠ 0, so no two households tie.
_PRIME = 2_147_483_647
MAX_SAMPLE_SIZE = 5000
# Serialises draws on PostgreSQL, so two questionnaires drawn at once cannot both take the same household.
_DRAW_LOCK_KEY = 7_012_0412


class QuestionnaireError(DomainError):
    """A questionnaire change the rules do not allow; the message is shown to the user."""


def _hash_coefficients(seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    return rng.randrange(1, _PRIME), rng.randrange(0, _PRIME)


def households_of_area(area: Area | None) -> QuerySet[Household]:
    """Every household of a village, of a town's villages, or (no area) of the county."""
    households = Household.objects.all()
    if area is None:
        return households
    if area.kind == Area.Kind.TOWN:
        return households.filter(village__parent=area)
    return households.filter(village=area)


def households_available(*, area: Area | None, start: date, end: date) -> QuerySet[Household]:
    """The area's households not already sampled by a questionnaire whose period overlaps [start, end]: nobody is
    asked twice about the same time."""
    taken = SampledHousehold.objects.filter(
        household=OuterRef("pk"), questionnaire__start__lte=end, questionnaire__end__gte=start
    )
    return households_of_area(area).exclude(Exists(taken))


def sample_draw(*, area: Area | None, start: date, end: date, seed: int, size: int) -> list[tuple[int, int]]:
    """The (household id, village id) pairs drawn for this seed, in draw order: the first `size` available
    households by the seed's hash. Same seed, same area and period, same households."""
    a, b = _hash_coefficients(seed)
    ordered = (
        households_available(area=area, start=start, end=end)
        .annotate(draw_key=Mod(F("pk") * a + b, _PRIME))
        .order_by("draw_key", "pk")
    )
    return list(ordered.values_list("pk", "village_id")[:size])


def _lock_draws() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_DRAW_LOCK_KEY])


def questionnaire_create(
    *,
    template: QuestionnaireTemplate,
    area: Area | None,
    start: date,
    end: date,
    sample_size: int,
    actor: User,
    title: str = "",
    seed: int | None = None,
) -> Questionnaire:
    """A questionnaire with its sample drawn and stored. The seed is chosen at random unless given, and kept."""
    require(actor, can.may_run_questionnaires, error=QuestionnaireError, message="只有民意访评中心可以发起问卷调查。")
    if end < start:
        raise QuestionnaireError("结束日期不能早于开始日期。")
    if not 1 <= sample_size <= MAX_SAMPLE_SIZE:
        raise QuestionnaireError(f"样本量须在 1 至 {MAX_SAMPLE_SIZE} 户之间。")
    if not template.is_active:
        raise QuestionnaireError("该问卷模板已停用。")
    if area is not None and area.kind not in (Area.Kind.TOWN, Area.Kind.VILLAGE):
        raise QuestionnaireError("调查区域须是全县、镇/乡或村/居。")
    seed = random.SystemRandom().randrange(1, 2**31) if seed is None else seed
    with transaction.atomic():
        _lock_draws()
        drawn = sample_draw(area=area, start=start, end=end, seed=seed, size=sample_size)
        if not drawn:
            raise QuestionnaireError("该区域在这段时间内没有可抽取的住户(都已在时间重叠的问卷中抽到过)。")
        name = area.full_name if area is not None else "全县"
        questionnaire = Questionnaire.objects.create(
            template=template,
            title=title or f"{name} {template.name} {start:%Y-%m-%d}至{end:%Y-%m-%d}",
            area=area,
            start=start,
            end=end,
            sample_size=len(drawn),
            seed=seed,
            created_by=actor,
        )
        SampledHousehold.objects.bulk_create(
            SampledHousehold(questionnaire=questionnaire, household_id=household, village_id=village, position=n)
            for n, (household, village) in enumerate(drawn, start=1)
        )
        audit_record(
            action=Action.STATE_CHANGED,
            actor=actor,
            target=questionnaire,
            detail={"to": "sampled", "seed": seed, "sampled": len(drawn), "asked_for": sample_size},
        )
    return questionnaire


def _check_started(sample: SampledHousehold) -> None:
    # Its period is when the households are asked: an answer before it is a slip (a paper form collected late,
    # after the end, is still recorded).
    start = sample.questionnaire.start
    if timezone.localdate() < start:
        raise QuestionnaireError(f"本问卷 {start:%Y-%m-%d} 开始,开始前不能录入答卷。")


def response_record(
    *,
    sample: SampledHousehold,
    actor: User,
    outcome: str,
    method: str,
    answers: dict[int, int] | None = None,
    note: str = "",
    request=None,
) -> QuestionnaireResponse:
    """Record what a sampled household said: `answers` maps question id → option id (a question left out was not
    answered). One response per household: a second submit is refused, not recorded twice. The audit entry is
    written in the same transaction."""
    require(actor, can.may_run_questionnaires, error=QuestionnaireError, message="只有民意访评中心可以录入答卷。")
    _check_started(sample)
    answers = answers or {}
    if outcome not in QuestionnaireResponse.Outcome.values:
        raise QuestionnaireError("请选择作答结果。")
    if method not in Method.values:
        raise QuestionnaireError("请选择电话或纸质问卷。")
    if outcome == QuestionnaireResponse.Outcome.ANSWERED and not answers:
        raise QuestionnaireError("已作答的答卷至少要有一题的答案。")
    if outcome != QuestionnaireResponse.Outcome.ANSWERED and answers:
        raise QuestionnaireError("拒绝作答或联系不上的,不能录入答案。")
    questions = {q.pk: q for q in sample.questionnaire.template.questions.all()}
    if set(answers) - set(questions):
        raise QuestionnaireError("答案里有不属于本问卷的题目。")
    options = ScaleOption.objects.in_bulk(answers.values())
    for question_id, option_id in answers.items():
        option = options.get(option_id)
        if option is None or option.scale_id != questions[question_id].scale_id:
            raise QuestionnaireError(f"第 {questions[question_id].order} 题的答案不是该题的选项。")
    try:
        with transaction.atomic():
            response = QuestionnaireResponse.objects.create(
                sample=sample,
                outcome=outcome,
                method=method,
                note=note,
                recorded_by=actor,
                recorded_at=timezone.now(),
            )
            Answer.objects.bulk_create(
                Answer(response=response, question_id=question_id, option_id=option_id)
                for question_id, option_id in sorted(answers.items())
            )
            audit_record(
                action=Action.STATE_CHANGED,
                actor=actor,
                request=request,
                target=sample,
                detail={"from": "pending", "to": outcome, "method": method, "answers": len(answers)},
            )
    except IntegrityError:
        raise QuestionnaireError("该户的答卷已经录入,不能重复提交。") from None
    return response


def attempt_record(
    *, sample: SampledHousehold, actor: User, number: int, note: str = "", request=None
) -> QuestionnaireAttempt:
    """本次未接通: a call that found no one this time, the `number`-th try as the caller's form counted them. The
    household stays to be asked; a second submit of the same form is refused, not counted as another try."""
    require(actor, can.may_run_questionnaires, error=QuestionnaireError, message="只有民意访评中心可以录入答卷。")
    _check_started(sample)
    if QuestionnaireResponse.objects.filter(sample=sample).exists():
        raise QuestionnaireError("该户的答卷已经录入,不能再记录未接通。")
    already = QuestionnaireAttempt.objects.filter(sample=sample).count()
    if number != already + 1:
        raise QuestionnaireError(f"这次未接通已经记录(共 {already} 次),不能重复提交。")
    try:
        with transaction.atomic():
            attempt = QuestionnaireAttempt.objects.create(
                sample=sample, number=number, note=note, recorded_by=actor, recorded_at=timezone.now()
            )
            audit_record(
                action=Action.STATE_CHANGED,
                actor=actor,
                request=request,
                target=sample,
                detail={"from": "pending", "to": "pending", "not_reached": number},
            )
    except IntegrityError:
        raise QuestionnaireError(f"这次未接通已经记录(共 {number} 次),不能重复提交。") from None
    return attempt
