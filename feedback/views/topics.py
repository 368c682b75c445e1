"""The legal department's topic review (法制部门每月类别研判): a month's matters, least sure suggestion first, each
confirmed or corrected in one tap; the month closed when all are confirmed, which retrains the topic model."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from feedback import selectors, services
from feedback.forms import TopicConfirmForm, TopicMonthForm
from feedback.models import Category
from feedback.services.classification import previous_month
from jingshi_jiafang.core.capabilities import may_review_topics
from jingshi_jiafang.core.dates import add_months
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required

review_topics = capability_required(may_review_topics, "类别研判只对法制部门开放。")


def _back(month: date, show: str, page: int | None = None) -> str:
    query = {"month": f"{month:%Y-%m}", "show": show, **({"page": page} if page else {})}
    return f"{reverse('feedback:topic_review')}?{urlencode(query)}"


@review_topics
def topic_review(request):
    form = TopicMonthForm(request.GET if "month" in request.GET else None)
    if form.is_bound and not form.is_valid():
        messages.error(request, "月份格式应为 年-月,例如 2026-10;已显示上个月。")
    month = form.cleaned_data["month"] if form.is_bound and form.is_valid() else previous_month(timezone.localdate())
    show = "confirmed" if request.GET.get("show") == "confirmed" else "pending"
    listed = selectors.topic_review_queue(month=month, confirmed=show == "confirmed")
    summary = selectors.topic_month_summary(month=month)
    this_month = timezone.localdate().replace(day=1)
    context = {
        "month": month,
        "show": show,
        "summary": summary,
        "model": selectors.topic_model_in_use_row(),
        "categories": Category.choices,
        "month_form": TopicMonthForm(initial={"month": month, "show": show}),
        "earlier": previous_month(month),
        "later": add_months(month, 1),
        "month_over": month < this_month,
        "may_close": summary["total"] and not summary["pending"] and not summary["closed"] and month < this_month,
        **paginate(request, listed),
    }
    return render(request, "feedback/topic_review.html", context)


@review_topics
@require_POST
def topic_confirm(request, pk: int):
    matter = selectors.get_matter_for_user(request.user, pk)
    form = TopicConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择类别后再确认。")
        return redirect(_back(services.month_of(matter), "pending"))
    data = form.cleaned_data
    try:
        services.matter_topic_confirm(matter=matter, actor=request.user, category=data["category"], request=request)
    except services.MatterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"诉求 {matter.reference} 已确认为“{Category(data['category']).label}”。")
    return redirect(_back(data["month"], data["show"] or "pending", data["page"]))


@review_topics
@require_POST
def topic_month_close(request):
    form = TopicMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, "月份格式应为 年-月,例如 2026-10。")
        return redirect("feedback:topic_review")
    month = form.cleaned_data["month"]
    try:
        services.topic_month_close(month=month, actor=request.user, request=request)
    except services.MatterError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{month:%Y年%m月}的类别研判已关闭;类别模型将在后台用确认的类别重新训练,几分钟后生效。"
        )
    return redirect(_back(month, "confirmed"))
