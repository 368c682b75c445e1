"""The evaluation centre's callback pages: the queue worked on a phone, one callback with its call and its form,
and the callback-rate figures."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from evaluation.errors import CallbackError
from evaluation.forms.callbacks import CallbackForm, FiguresPeriodForm, QueueFilterForm
from evaluation.scopes import get_callback_for_user
from evaluation.selectors import callbacks as selectors
from evaluation.services import callbacks as services
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required

ONLY_EVALUATORS = "回访由民意访评中心办理。"


@capability_required(can.may_call_residents_back, ONLY_EVALUATORS)
def callback_queue(request):
    today = timezone.localdate()
    form = QueueFilterForm(request.GET or None)
    source = part = ""
    if form.is_valid():
        source, part = form.cleaned_data["source"], form.cleaned_data["part"]
    callbacks = selectors.callback_queue(user=request.user, today=today, source=source, part=part)
    pagination = paginate(request, callbacks)
    pagination["page"].object_list = selectors.with_details(pagination["page"].object_list)
    context = {
        "form": form,
        "counts": selectors.queue_counts(user=request.user, today=today),
        "comments": selectors.comments_to_raise(user=request.user, today=today),
        "today": today,
        "filtering": bool(source or part),
        **pagination,
    }
    return render(request, "evaluation/callbacks/callback_queue.html", context)


def _detail(request, callback, *, form=None, phone: str = "", status: int = 200):
    context = {
        "callback": callback,
        "form": form or CallbackForm(callback=callback),
        "phone": phone,
        "has_phone": bool(selectors.callback_phone(callback)),
        "today": timezone.localdate(),
        "history": callback.history.select_related("caller"),
    }
    return render(request, "evaluation/callbacks/callback_detail.html", context, status=status)


@capability_required(can.may_call_residents_back, ONLY_EVALUATORS)
def callback_detail(request, pk: int):
    return _detail(request, get_callback_for_user(request.user, pk))


@post_only("evaluation:callback_detail")
@capability_required(can.may_call_residents_back, ONLY_EVALUATORS)
def callback_call(request, pk: int):
    """拨打电话: the number in full and a tel: link, for this response only; who saw it is audited."""
    callback = get_callback_for_user(request.user, pk)
    try:
        phone = services.callback_phone_reveal(callback=callback, actor=request.user, request=request)
    except CallbackError as error:
        messages.error(request, str(error))
        return redirect("evaluation:callback_detail", pk=pk)
    return _detail(request, callback, phone=phone)


@post_only("evaluation:callback_detail")
@capability_required(can.may_call_residents_back, ONLY_EVALUATORS)
def callback_record(request, pk: int):
    callback = get_callback_for_user(request.user, pk)
    form = CallbackForm(request.POST, callback=callback)
    if not form.is_valid():
        return _detail(request, callback, form=form, status=400)
    try:
        recorded, message = services.callback_record(
            callback=callback, actor=request.user, request=request, **form.cleaned_data
        )
    except CallbackError as error:
        messages.warning(request, str(error))
        return redirect("evaluation:callback_queue")
    left = selectors.queue_counts(user=request.user, today=timezone.localdate()).total
    said = f"{message}{'下一条回访已在队首。' if left else '今天的回访都已完成。'}"
    if recorded.state == recorded.State.DONE and recorded.comment and not recorded.reopened_its_source:
        # The list of today's comments is below the whole queue: the one just heard is offered here, at once.
        url = reverse("evaluation:callback_detail", args=[recorded.pk])
        said = format_html('{}群众说的事如需办理,可<a href="{}" class="alert-link">转为诉求</a>。', said, url)
    messages.success(request, said)
    return redirect("evaluation:callback_queue")


@post_only("evaluation:callback_detail")
@capability_required(can.may_call_residents_back, ONLY_EVALUATORS)
def callback_raise_matter(request, pk: int):
    """转为诉求: the resident's comment registered as a matter in one step; a second press finds the same one."""
    callback = get_callback_for_user(request.user, pk)
    try:
        matter, made = services.callback_comment_to_matter(callback=callback, actor=request.user, request=request)
    except CallbackError as error:
        messages.error(request, str(error))
    else:
        said = "已登记为诉求" if made else "这条意见已经登记为诉求"
        messages.success(request, f"{said} {matter.reference},将由{matter.unit}研判分流。")
    return redirect("evaluation:callback_detail", pk=pk)


@capability_required(can.may_read_callback_figures, "回访统计供民意访评中心和局领导查看。")
def callback_figures(request):
    form = FiguresPeriodForm(request.GET or None)
    start, end = form.period()
    figures = selectors.callback_figures(user=request.user, start=start, end=end)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "figures": figures,
        "county": can.sees_whole_county(request.user),
        "previous": reverse("evaluation:callback_figures")
        + f"?start={start - timedelta(days=(end - start).days + 1):%Y-%m-%d}&end={start - timedelta(days=1):%Y-%m-%d}",
    }
    return render(request, "evaluation/callbacks/callback_figures.html", context)
