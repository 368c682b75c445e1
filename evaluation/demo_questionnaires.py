"""Demo questionnaires and field checks, through the real services: a county questionnaire for each of the last three
months (this one still in progress) whose answers show the rising sense of security and satisfaction the seed
reports, and field checks of recent visits and ledger items, a few of them finding a false visit."""

import calendar
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from evaluation.models import FieldCheck, QuestionnaireResponse, QuestionnaireTemplate
from evaluation.services.field_checks import CHECK_PAST_DAYS, field_check_record
from evaluation.services.questionnaires import QuestionnaireError, questionnaire_create, response_record
from jingshi_jiafang.core.dates import add_months
from jingshi_jiafang.core.models import User
from ledger.models import LedgerItem
from visits.models import Visit

MONTHS = 3
SAMPLE_SIZE = 120
STANDARD = "群众安全感和满意度调查(标准问卷)"
FIELD_CHECKS = 16
FINDINGS = {
    FieldCheck.Result.TRUE: ("入户核实,户主确认民警上门走访,所记情况属实。", "与户主当面核对,走访内容和记录一致。"),
    FieldCheck.Result.PARTLY_TRUE: ("户主确认民警来过,但记录的意见建议与户主所说不完全一致。",),
    FieldCheck.Result.NOT_TRUE: ("户主及邻居均称当天没有民警上门,走访记录不属实。",),
}
ITEM_FINDINGS = {
    FieldCheck.Result.TRUE: ("现场查看,事项已按台账办理。", "与群众当面核对,事项已兑现,和台账记录一致。"),
    FieldCheck.Result.PARTLY_TRUE: (
        "事项已办理一部分,群众反映进展较慢,台账记的完成情况偏多。",
        "现场查看,事项已兑现,但和台账记录的做法不完全一致。",
    ),
}


@dataclass
class QuestionnaireDemo:
    questionnaires: int
    responses: int
    field_checks: int


def _choose(rng: random.Random, options: list, lift: float) -> int:
    """An option (best first) by weights that move towards the best as `lift` grows from 0 to 1."""
    n = len(options)
    weights = [(n - i) ** (1 + 2 * lift) for i in range(n)]
    return rng.choices(options, weights=weights)[0].pk


def seed_questionnaires(*, rng: random.Random, today: date) -> QuestionnaireDemo:
    evaluator = User.objects.filter(role=User.Role.EVALUATOR, is_active=True).order_by("pk").first()
    template = QuestionnaireTemplate.objects.filter(name=STANDARD).first()
    if evaluator is None or template is None:
        return QuestionnaireDemo(0, 0, 0)
    questions = list(template.questions.select_related("scale").prefetch_related("scale__options"))
    made = recorded = 0
    for back in range(MONTHS - 1, -1, -1):
        start = add_months(today, -back)
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        try:
            questionnaire = questionnaire_create(
                template=template,
                area=None,
                start=start,
                end=end,
                sample_size=SAMPLE_SIZE,
                actor=evaluator,
                seed=rng.randrange(1, 2**31),
            )
        except QuestionnaireError:
            continue
        made += 1
        lift = (MONTHS - 1 - back) / max(MONTHS - 1, 1)
        samples = list(questionnaire.samples.order_by("position"))
        # This month's survey is under way: a little over half of the households asked so far.
        asked = samples if back else samples[: len(samples) * 3 // 5]
        for sample in asked:
            roll = rng.random()
            method = "paper" if rng.random() < 0.2 else "phone"
            if roll < 0.08:
                outcome, answers = QuestionnaireResponse.Outcome.UNREACHABLE, {}
            elif roll < 0.12:
                outcome, answers = QuestionnaireResponse.Outcome.REFUSED, {}
            else:
                outcome = QuestionnaireResponse.Outcome.ANSWERED
                answers = {q.pk: _choose(rng, list(q.scale.options.all()), lift) for q in questions}
            response_record(sample=sample, actor=evaluator, outcome=outcome, method=method, answers=answers)
            recorded += 1
    return QuestionnaireDemo(made, recorded, _seed_field_checks(rng=rng, today=today, evaluator=evaluator))


def _seed_field_checks(*, rng: random.Random, today: date, evaluator: User) -> int:
    since = timezone.now() - timedelta(days=CHECK_PAST_DAYS - 3)
    visits = list(
        Visit.objects.filter(visited_at__gte=since, visited_at__lte=timezone.now(), household__isnull=False)
        .select_related("household")
        .order_by("pk")[:400]
    )
    items = list(
        LedgerItem.objects.filter(created_at__gte=since, household__isnull=False)
        .select_related("household")
        .order_by("pk")[:100]
    )
    made = 0
    Result = FieldCheck.Result
    for n, visit in enumerate(rng.sample(visits, min(FIELD_CHECKS, len(visits)))):
        # Mostly true, some partly; one in eight a false visit (虚假走访), so the scores have one to show.
        result = Result.NOT_TRUE if n % 8 == 0 else rng.choices([Result.TRUE, Result.PARTLY_TRUE], weights=[4, 1])[0]
        visit_day = timezone.localtime(visit.visited_at).date()
        field_check_record(
            actor=evaluator,
            visit=visit,
            place=visit.household.address,
            check_date=min(today, visit_day + timedelta(days=rng.randrange(1, 4))),
            result=result,
            findings=rng.choice(FINDINGS[result]),
        )
        made += 1
    for item in rng.sample(items, min(FIELD_CHECKS // 4, len(items))):
        result = rng.choice([Result.TRUE, Result.PARTLY_TRUE])
        field_check_record(
            actor=evaluator,
            ledger_item=item,
            place=item.household.address,
            check_date=today,
            result=result,
            findings=rng.choice(ITEM_FINDINGS[result]),
        )
        made += 1
    return made
