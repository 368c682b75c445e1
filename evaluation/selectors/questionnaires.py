"""Reads of questionnaires: who sees which, their progress, and the sense-of-security (安全感) and satisfaction
(满意度) indices, computed by database aggregates.

An index is the mean option score (0–100) of the answered questions feeding it. An answer counts for a period when
its questionnaire's period ends inside it (a questionnaire is counted in the period it closes), and for an area
when the sampled household lives there.
"""

from datetime import date, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from evaluation.models import Answer, Index, Questionnaire, QuestionnaireResponse, SampledHousehold
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.dates import add_months
from jingshi_jiafang.core.models import Area, User
from jingshi_jiafang.core.scopes import areas_visible_to, county_units


def questionnaires_visible_to(user: User) -> QuerySet[Questionnaire]:
    """The evaluation centre sees every questionnaire; a leader those of the areas they see (their town and its
    villages) and the county-wide ones, whose results break down by town: a bureau leader reads the county's
    sense of security as well as his town's. Results are indices and counts; no household shows."""
    if not can.may_read_questionnaire_results(user):
        return Questionnaire.objects.none()
    if can.sees_whole_county(user):
        county = county_units(user)
        county_wide = Q(area__isnull=True, created_by__unit__in=county)
        return Questionnaire.objects.filter(Q(area__unit__in=county) | county_wide)
    county_wide = Q(area__isnull=True, created_by__unit__in=county_units(user))  # their own county's
    return Questionnaire.objects.filter(Q(area__in=areas_visible_to(user)) | county_wide)


def get_questionnaire_for_user(user: User, pk: int) -> Questionnaire:
    try:
        return questionnaires_visible_to(user).select_related("template", "area__parent", "created_by").get(pk=pk)
    except Questionnaire.DoesNotExist:
        raise Http404("没有找到该问卷调查,或您无权查看。") from None


def get_sample_for_user(user: User, pk: int) -> SampledHousehold:
    """A sampled household to ask: for those who record answers, within the questionnaires they see."""
    if not can.may_run_questionnaires(user):
        raise Http404("没有找到该抽样户,或您无权查看。")
    try:
        return (
            SampledHousehold.objects.filter(questionnaire__in=questionnaires_visible_to(user))
            .select_related("questionnaire__template", "household", "village__parent", "response__recorded_by")
            .get(pk=pk)
        )
    except SampledHousehold.DoesNotExist:
        raise Http404("没有找到该抽样户,或您无权查看。") from None


def questionnaire_list(*, user: User) -> QuerySet[Questionnaire]:
    """The list page's rows with their progress, in one query."""
    return (
        questionnaires_visible_to(user)
        .select_related("template", "area__parent")
        .annotate(
            sampled=Count("samples", distinct=True),
            recorded=Count("samples__response", distinct=True),
            answered=Count(
                "samples__response",
                filter=Q(samples__response__outcome=QuestionnaireResponse.Outcome.ANSWERED),
                distinct=True,
            ),
        )
        .order_by("-start", "-pk")
    )


def questionnaire_progress(*, questionnaire: Questionnaire) -> dict:
    """{sampled, recorded, answered, refused, unreachable, pending} of one questionnaire, in one query."""
    Outcome = QuestionnaireResponse.Outcome
    counts = questionnaire.samples.aggregate(
        sampled=Count("pk"),
        recorded=Count("response"),
        **{outcome: Count("response", filter=Q(response__outcome=outcome)) for outcome in Outcome.values},
    )
    counts["pending"] = counts["sampled"] - counts["recorded"]
    return counts


def sample_rows(*, questionnaire: Questionnaire, pending_only: bool = False) -> QuerySet[SampledHousehold]:
    rows = questionnaire.samples.select_related("household", "village__parent", "response")
    rows = rows.annotate(not_reached=Count("attempts")).order_by("position")
    return rows.filter(response__isnull=True) if pending_only else rows


def next_pending_sample(*, questionnaire: Questionnaire, after: int = 0) -> SampledHousehold | None:
    """The next household still to ask: of those tried least often (one that did not answer waits until the others
    were called), the next in the order of the draw after position `after`, then from the start."""
    pending = questionnaire.samples.filter(response__isnull=True).annotate(tries=Count("attempts"))
    first = pending.order_by("tries", "position").first()
    if first is None:
        return None
    return pending.filter(tries=first.tries, position__gt=after).order_by("position").first() or first


def _index_aggregates() -> dict:
    return {
        "security": Avg("option__score", filter=Q(question__index=Index.SECURITY)),
        "satisfaction": Avg("option__score", filter=Q(question__index=Index.SATISFACTION)),
        "responses": Count("response", distinct=True),
    }


def _rounded(row: dict) -> dict:
    return {
        "security": round(row["security"], 1) if row["security"] is not None else None,
        "satisfaction": round(row["satisfaction"], 1) if row["satisfaction"] is not None else None,
        "responses": row["responses"],
    }


def _answers_in_area(area: Area | None, villages: QuerySet[Area] | None = None) -> QuerySet[Answer]:
    answers = Answer.objects.filter(response__outcome=QuestionnaireResponse.Outcome.ANSWERED)
    if villages is not None:
        answers = answers.filter(response__sample__village__in=villages)
    if area is None:
        return answers
    if area.kind == Area.Kind.TOWN:
        return answers.filter(response__sample__village__parent=area)
    return answers.filter(response__sample__village=area)


def area_indices(*, area: Area | None, start: date, end: date) -> dict:
    """The indices of an area (a town or a village; None = the county) for the questionnaires whose period ends
    in [start, end], in one query.

    Returns {"security": float | None, "satisfaction": float | None, "responses": int}: each index the mean option
    score (0–100, one decimal) of the answers feeding it, None when nothing was answered; `responses` the number
    of answered questionnaires behind them (the sample size to show beside the indices).
    """
    answers = _answers_in_area(area).filter(response__sample__questionnaire__end__range=(start, end))
    return _rounded(answers.aggregate(**_index_aggregates()))


def index_trend(
    *, area: Area | None, months: int, today: date | None = None, villages: QuerySet[Area] | None = None
) -> list[dict]:
    """The indices month by month for the last `months` months up to this one (oldest first), in one query.

    Returns a list of {"month": date (the first day), "security": float | None, "satisfaction": float | None,
    "responses": int}, one per month, months without answers included with None and 0, as `area_indices` counts
    them (a questionnaire counts in the month its period ends). `villages`, when given, narrows the answers to
    those villages (a leader's reach of several towns).
    """
    today = today or timezone.localdate()
    first = add_months(today, -(months - 1))
    last = add_months(today, 1) - timedelta(days=1)
    rows = (
        _answers_in_area(area, villages)
        .filter(response__sample__questionnaire__end__range=(first, last))
        .annotate(month=TruncMonth("response__sample__questionnaire__end"))
        .values("month")
        .annotate(**_index_aggregates())
    )
    by_month = {row["month"]: _rounded(row) for row in rows}
    empty = {"security": None, "satisfaction": None, "responses": 0}
    return [
        {"month": month, **by_month.get(month, empty)}
        for month in (add_months(today, -back) for back in range(months - 1, -1, -1))
    ]


def questionnaire_indices(*, questionnaire: Questionnaire) -> dict:
    """The indices of one questionnaire, as `area_indices` returns them."""
    answers = _answers_in_area(None).filter(response__sample__questionnaire=questionnaire)
    return _rounded(answers.aggregate(**_index_aggregates()))


def questionnaire_breakdown(*, questionnaire: Questionnaire) -> list[dict]:
    """The indices of one questionnaire by the next area level: by town for a county questionnaire, by village for
    a town's; empty for a village's. Each row: {"area": name, "sampled": int, "security", "satisfaction",
    "responses"}. Three queries, whatever the size."""
    if questionnaire.area_id is not None and questionnaire.area.kind == Area.Kind.VILLAGE:
        return []
    by_town = questionnaire.area_id is None
    key = "village__parent" if by_town else "village"
    sampled = dict(questionnaire.samples.values_list(key).annotate(n=Count("pk")).values_list(key, "n"))
    answer_key = f"response__sample__{key}"
    rows = (
        _answers_in_area(None)
        .filter(response__sample__questionnaire=questionnaire)
        .values(answer_key)
        .annotate(**_index_aggregates())
    )
    indices = {row[answer_key]: _rounded(row) for row in rows}
    names = {
        area.pk: area.full_name if not by_town else area.name
        for area in Area.objects.filter(pk__in=sampled).select_related("parent")
    }
    empty = {"security": None, "satisfaction": None, "responses": 0}
    result = [{"area": names.get(pk, ""), "sampled": n, **indices.get(pk, empty)} for pk, n in sampled.items()]
    return sorted(result, key=lambda row: row["area"])


def question_results(*, questionnaire: Questionnaire) -> list[dict]:
    """Per question of one questionnaire: how many chose each option and the mean score, in two queries. Each row:
    {"question": Question, "answers": int, "mean": float | None, "options": [(label, count), ...]}."""
    questions = list(questionnaire.template.questions.select_related("scale").prefetch_related("scale__options"))
    counts = {
        (row["question"], row["option"]): row["n"]
        for row in Answer.objects.filter(response__sample__questionnaire=questionnaire)
        .values("question", "option")
        .annotate(n=Count("pk"))
    }
    rows = []
    for question in questions:
        options = [(option, counts.get((question.pk, option.pk), 0)) for option in question.scale.options.all()]
        answers = sum(n for _, n in options)
        mean = sum(option.score * n for option, n in options) / answers if answers else None
        rows.append(
            {
                "question": question,
                "answers": answers,
                "mean": round(mean, 1) if mean is not None else None,
                "options": [(option.label, n) for option, n in options],
            }
        )
    return rows
