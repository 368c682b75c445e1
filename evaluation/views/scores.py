"""Scores (考核) pages: the ranking, a score with its formula, the records behind a component, 我的考核, the
weights, and closing or recomputing a month."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from evaluation.forms.scores import MonthCloseForm, RankingFilterForm, RecomputeClosedForm, ScoreWeightForm
from evaluation.models import Metric, Score, ScoreMonth, SubjectKind
from evaluation.selectors import scores as selectors
from evaluation.services.scores import ScoreError, score_month_close, score_weight_set, scores_recompute_closed
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.models import Area
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required
from jingshi_jiafang.core.scopes import county_units, towns_visible_to, unit_subtree

MONTH_ONLY = "该指标的明细按月查看,请从年度得分中的各月进入。"


def _filter_choices(user):
    if can.sees_all_scores(user):
        return (
            county_units(user).filter(kind__in=selectors.SCORED_UNIT_KINDS).order_by("code"),
            Area.objects.filter(kind=Area.Kind.TOWN, unit__in=county_units(user)).order_by("code"),
        )
    return unit_subtree(user.unit).order_by("code"), towns_visible_to(user).order_by("code")


def _ranked_kinds(user) -> list[str]:
    # A unit head sees his officers and units; cadres belong to the bureau, so he is not offered an empty list
    # that reads as if their scores were not computed yet.
    if can.sees_all_scores(user):
        return list(SubjectKind.values)
    return [SubjectKind.OFFICER, SubjectKind.UNIT]


def _default_month() -> date:
    months = ScoreMonth.objects.filter(computed_at__isnull=False).order_by("-month").values_list("month", flat=True)
    return months.first() or timezone.localdate().replace(day=1)


@capability_required(can.may_read_scores, "考核排名只对民意访评中心、局领导和单位负责人开放。")
def score_ranking(request):
    units, towns = _filter_choices(request.user)
    filters = RankingFilterForm(request.GET, units=units, towns=towns, kinds=_ranked_kinds(request.user))
    period = filters.value("period", Score.Period.MONTH)
    kind = filters.value("kind", SubjectKind.OFFICER)
    if period == Score.Period.YEAR:
        start = date(filters.value("year", timezone.localdate().year), 1, 1)
        weights_month = min(date(start.year, 12, 1), timezone.localdate().replace(day=1))
    else:
        start = filters.value("month") or _default_month()
        weights_month = start
    scores = selectors.ranking(viewer=request.user, period=period, start=start, kind=kind)
    if unit := filters.value("unit"):
        field = "unit__in" if kind == SubjectKind.UNIT else "user__unit__in"
        scores = scores.filter(**{field: unit_subtree(unit)})
    if town := filters.value("town"):
        scores = scores.filter(town=town)
    score_month = ScoreMonth.objects.filter(month=start).first() if period == Score.Period.MONTH else None
    is_over = start < timezone.localdate().replace(day=1)
    context = {
        "filters": filters,
        "period": period,
        "kind": kind,
        "kind_label": SubjectKind(kind).label,
        "start": start,
        "score_month": score_month,
        "metrics": [(metric, Metric(metric).label) for metric in selectors.METRICS_OF[kind]],
        "definitions": selectors.definitions_for(kind, selectors.weights_for(weights_month).get(kind, {})),
        "formula": selectors.FORMULA,
        "may_manage": can.may_manage_scores(request.user),
        "close_form": MonthCloseForm(initial={"month": start}) if is_over else None,
        "recompute_form": RecomputeClosedForm(initial={"month": start}),
        **paginate(request, scores),
    }
    for score in context["page"].object_list:
        score.parts = _ordered_parts(score)
    return render(request, "evaluation/scores/ranking.html", context)


def _ordered_parts(score: Score) -> list:
    stored = {component.metric: component for component in score.components.all()}
    return [stored[metric] for metric in selectors.METRICS_OF[score.subject_kind] if metric in stored]


@capability_required(can.may_read_own_score, "我的考核只对民警、中层干部和局领导开放。")
def my_scores(request):
    scores = Score.objects.filter(user=request.user).prefetch_related("components").order_by("-period_start", "period")
    context = paginate(request, scores)
    for score in context["page"].object_list:
        score.parts = _ordered_parts(score)
    kind = SubjectKind.OFFICER if can.may_be_linked_to_households(request.user) else SubjectKind.CADRE
    context.update(
        {
            "definitions": selectors.definitions_for(
                kind, selectors.weights_for(timezone.localdate().replace(day=1)).get(kind, {})
            ),
            "formula": selectors.FORMULA,
            "kind_label": SubjectKind(kind).label,
        }
    )
    return render(request, "evaluation/scores/mine.html", context)


@login_required
def score_detail(request, pk: int):
    score = selectors.get_score_for_user(request.user, pk)
    parts = {part.metric: part for part in _ordered_parts(score)}
    rows = [
        {"component": parts[metric], "definition": selectors.DEFINITIONS[metric][score.subject_kind]}
        for metric in selectors.METRICS_OF[score.subject_kind]
        if metric in parts
    ]
    in_force = selectors.weights_for(score.period_start).get(score.subject_kind, {})
    context = {
        "score": score,
        "rows": rows,
        "definitions": selectors.definitions_for(score.subject_kind, in_force),
        "kind_label": score.get_subject_kind_display(),
        "formula": selectors.FORMULA,
        "months": selectors.months_of_subject(score) if score.period == Score.Period.YEAR else None,
        "score_month": ScoreMonth.objects.filter(month=score.period_start).first()
        if score.period == Score.Period.MONTH
        else None,
    }
    return render(request, "evaluation/scores/detail.html", context)


@login_required
def score_records(request, pk: int, metric: str):
    score = selectors.get_score_for_user(request.user, pk)
    if metric not in selectors.METRICS_OF[score.subject_kind]:
        raise Http404("该考核对象没有这一指标。")
    if score.period != Score.Period.MONTH:
        raise Http404(MONTH_ONLY)
    component = selectors.component_of(score, metric)
    records = selectors.component_records(score=score, metric=metric, viewer=request.user)
    context = {
        "score": score,
        "metric_label": Metric(metric).label,
        "definition": selectors.DEFINITIONS[metric][score.subject_kind],
        "component": component,
        "score_month": ScoreMonth.objects.filter(month=score.period_start).first(),
        "records": records,
        **paginate(request, records.rows),
    }
    return render(request, "evaluation/scores/records.html", context)


@capability_required(can.may_manage_scores, "考核权重只能由民意访评中心调整。")
def score_weights(request):
    form = ScoreWeightForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                row = score_weight_set(actor=request.user, request=request, **form.cleaned_data)
            except ScoreError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"已将{row.get_subject_kind_display()}的“{row.get_metric_display()}”权重设为 {row.weight},"
                    f"自{row.valid_from:%Y年%m月}起生效。",
                )
                return redirect("evaluation:score_weights")
        status = 400
    context = {"form": form, "weights": selectors.weight_history(), "formula": selectors.FORMULA}
    return render(request, "evaluation/scores/weights.html", context, status=status)


def _back_to_month(month: date | None) -> str:
    url = reverse("evaluation:score_ranking")
    return f"{url}?period=month&month={month:%Y-%m}" if month else url


@post_only("evaluation:score_ranking", url_kwargs=())
@capability_required(can.may_manage_scores, "只有民意访评中心可以关闭考核月份。")
def score_month_close_view(request):
    form = MonthCloseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_back_to_month(form.cleaned_data.get("month")))
    month = form.cleaned_data["month"]
    try:
        score_month_close(month=month, actor=request.user, request=request)
    except ScoreError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{month:%Y年%m月}的考核已关闭,分数已冻结。")
    return redirect(_back_to_month(month))


@post_only("evaluation:score_ranking", url_kwargs=())
@capability_required(can.may_manage_scores, "只有民意访评中心可以重算已关闭的月份。")
def score_month_recompute_view(request):
    form = RecomputeClosedForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_back_to_month(form.cleaned_data.get("month")))
    month = form.cleaned_data["month"]
    try:
        changed = scores_recompute_closed(
            month=month, actor=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except ScoreError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已重算{month:%Y年%m月}的考核,{changed} 条记录有变化;该月仍为已关闭。")
    return redirect(_back_to_month(month))
