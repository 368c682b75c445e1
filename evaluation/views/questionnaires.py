"""问卷调查 pages: the list, making one, its progress, the households to call, the answer form and the results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from evaluation.forms.questionnaires import QuestionnaireForm, ResponseForm
from evaluation.models import QuestionnaireResponse
from evaluation.selectors import questionnaires as selectors
from evaluation.services import questionnaires as services
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.forms import RevealForm
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required
from jingshi_jiafang.core.scopes import areas_visible_to

NOT_EVALUATOR = "问卷的抽样和答卷录入由民意访评中心负责。"


@capability_required(can.may_read_questionnaire_results, "问卷调查由民意访评中心组织,局领导可查看本辖区的结果。")
def questionnaire_list(request):
    context = {
        "may_run": can.may_run_questionnaires(request.user),
        **paginate(request, selectors.questionnaire_list(user=request.user)),
    }
    return render(request, "evaluation/questionnaires/questionnaire_list.html", context)


@capability_required(can.may_run_questionnaires, NOT_EVALUATOR)
@require_http_methods(["GET", "POST"])
def questionnaire_create(request):
    areas = areas_visible_to(request.user).select_related("parent").order_by("code")
    form = QuestionnaireForm(request.POST or None, areas=areas)
    available = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            # How many households can still be drawn: the area's, less those asked in an overlapping period.
            available = services.households_available(area=data["area"], start=data["start"], end=data["end"]).count()
        else:
            try:
                questionnaire = services.questionnaire_create(actor=request.user, **data)
            except services.QuestionnaireError as error:
                form.add_error(None, str(error))
            else:
                drawn, asked = questionnaire.sample_size, data["sample_size"]
                if drawn < asked:
                    message = f"问卷已创建。该区域可抽取的住户只有 {drawn} 户(要求 {asked} 户),已全部抽取。"
                else:
                    message = f"问卷已创建,抽取了 {drawn} 户。"
                messages.success(request, message)
                return redirect(questionnaire)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "evaluation/questionnaires/questionnaire_form.html",
        {"form": form, "available": available},
        status=status,
    )


@login_required
def questionnaire_detail(request, pk: int):
    questionnaire = selectors.get_questionnaire_for_user(request.user, pk)
    context = {
        "questionnaire": questionnaire,
        "progress": selectors.questionnaire_progress(questionnaire=questionnaire),
        "indices": selectors.questionnaire_indices(questionnaire=questionnaire),
        "questions": questionnaire.template.questions.select_related("scale"),
        "may_run": can.may_run_questionnaires(request.user),
        "next_sample": selectors.next_pending_sample(questionnaire=questionnaire)
        if can.may_run_questionnaires(request.user)
        else None,
    }
    return render(request, "evaluation/questionnaires/questionnaire_detail.html", context)


@login_required
def questionnaire_calls(request, pk: int):
    """The sampled households to call, in the order of the draw; the pending ones first by default."""
    questionnaire = selectors.get_questionnaire_for_user(request.user, pk)
    if not can.may_run_questionnaires(request.user):
        raise PermissionDenied(NOT_EVALUATOR)
    show_all = request.GET.get("show") == "all"
    rows = selectors.sample_rows(questionnaire=questionnaire, pending_only=not show_all)
    context = {"questionnaire": questionnaire, "show_all": show_all, **paginate(request, rows)}
    return render(request, "evaluation/questionnaires/questionnaire_calls.html", context)


def _sample_for_answering(request, pk: int):
    sample = selectors.get_sample_for_user(request.user, pk)
    if not can.may_run_questionnaires(request.user):
        raise PermissionDenied(NOT_EVALUATOR)
    return sample


def _questions(sample):
    return sample.questionnaire.template.questions.select_related("scale").prefetch_related("scale__options")


def _answer_page(request, sample, form=None, revealed: bool = False, status: int = 200):
    attempts = list(sample.attempts.select_related("recorded_by"))
    context = {
        "sample": sample,
        "questionnaire": sample.questionnaire,
        "household": sample.household,
        "response": getattr(sample, "response", None),
        "attempts": attempts,
        "form": form or ResponseForm(questions=_questions(sample), attempt=len(attempts) + 1),
        "revealed": revealed,
        "may_reveal": can.may_reveal(request.user, "phone"),
    }
    return render(request, "evaluation/questionnaires/answer_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_answer(request, pk: int):
    sample = _sample_for_answering(request, pk)
    if request.method == "GET":
        return _answer_page(request, sample)
    form = ResponseForm(request.POST, questions=_questions(sample))
    if form.is_valid() and form.cleaned_data["outcome"] == ResponseForm.NOT_NOW:
        return _not_reached_this_time(request, sample, form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.response_record(
                sample=sample,
                actor=request.user,
                outcome=data["outcome"],
                method=data["method"],
                answers=form.answers(),
                note=data["note"],
                request=request,
            )
        except services.QuestionnaireError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已记录 {sample.household.head_name}户 {RECORDED[data['outcome']]}。")
            following = selectors.next_pending_sample(questionnaire=sample.questionnaire, after=sample.position)
            return redirect(following or sample.questionnaire)
    return _answer_page(request, sample, form=form, status=400)


# What the message after saving says was recorded: an answer sheet only when there were answers.
RECORDED = {
    QuestionnaireResponse.Outcome.ANSWERED: "的答卷",
    QuestionnaireResponse.Outcome.REFUSED: "拒绝作答",
    QuestionnaireResponse.Outcome.UNREACHABLE: "联系不上,不再拨打",
}


def _not_reached_this_time(request, sample, form):
    data = form.cleaned_data
    try:
        attempt = services.attempt_record(
            sample=sample, actor=request.user, number=data["attempt"], note=data["note"], request=request
        )
    except services.QuestionnaireError as error:
        messages.warning(request, str(error))
    else:
        messages.success(
            request, f"已记录 {sample.household.head_name}户 第 {attempt.number} 次未接通,该户留在待访名单里。"
        )
    following = selectors.next_pending_sample(questionnaire=sample.questionnaire, after=sample.position)
    return redirect(following or sample.questionnaire)


@require_POST
@login_required
def questionnaire_reveal(request, pk: int):
    """The sampled household's phone in full, for this response only, to call it; the audit log says who saw it."""
    sample = _sample_for_answering(request, pk)
    form = RevealForm(request.POST)
    if not form.is_valid() or form.cleaned_data["field"] != "phone":
        return HttpResponseBadRequest("无效的请求。")
    try:
        core_services.personal_number_reveal(
            household=sample.household, field="phone", actor=request.user, target=sample, request=request
        )
    except core_services.RevealError as error:
        raise PermissionDenied(str(error)) from error
    return _answer_page(request, sample, revealed=True)


@login_required
def questionnaire_results(request, pk: int):
    questionnaire = selectors.get_questionnaire_for_user(request.user, pk)
    context = {
        "questionnaire": questionnaire,
        "indices": selectors.questionnaire_indices(questionnaire=questionnaire),
        "progress": selectors.questionnaire_progress(questionnaire=questionnaire),
        "breakdown": selectors.questionnaire_breakdown(questionnaire=questionnaire),
        "breakdown_level": "镇/乡" if questionnaire.area_id is None else "村/居",
        "questions": selectors.question_results(questionnaire=questionnaire),
    }
    return render(request, "evaluation/questionnaires/questionnaire_results.html", context)
