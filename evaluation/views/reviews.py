"""每日通报: the list of daily notices, one notice (printable), building a day by hand and rebuilding one."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evaluation.forms.reviews import ReviewBuildForm
from evaluation.models import DailyReview
from evaluation.selectors import reviews as selectors
from evaluation.services.reviews import ReviewError, daily_review_build
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required


@capability_required(can.may_read_daily_reviews, "每日通报发至局领导、中层干部、法制部门、民意访评中心和单位负责人。")
def review_list(request):
    form = ReviewBuildForm() if can.may_build_daily_reviews(request.user) else None
    return render(
        request, "evaluation/reviews/review_list.html", {"form": form, **paginate(request, selectors.reviews_listed())}
    )


def _review_or_404(day: date) -> DailyReview:
    # The notice is the county's, the same for every reader (capabilities.may_read_daily_reviews): the only
    # question is whether that day's was built.
    review = DailyReview.objects.select_related("built_by").filter(day=day).first()
    if review is None:
        raise Http404("该日还没有每日通报。")
    return review


@capability_required(can.may_read_daily_reviews, "每日通报发至局领导、中层干部、法制部门、民意访评中心和单位负责人。")
def review_detail(request, day: date):
    review = _review_or_404(day)
    older, newer = selectors.review_neighbours(review)
    return render(
        request,
        "evaluation/reviews/review_detail.html",
        {"review": review, "notice": selectors.notice_rows(review.figures), "older": older, "newer": newer},
    )


@require_POST
@capability_required(can.may_build_daily_reviews, "只有民意访评中心可以生成每日通报。")
def review_build(request):
    form = ReviewBuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
        return redirect("evaluation:review_list")
    day = form.cleaned_data["day"]
    existed = DailyReview.objects.filter(day=day).exists()
    try:
        review = daily_review_build(day=day, actor=request.user, request=request)
    except ReviewError as error:
        messages.error(request, str(error))
        return redirect("evaluation:review_list")
    if existed:
        messages.info(
            request, f"{day:%Y-%m-%d} 的通报已经生成,内容未变。如需按最新数据重新生成,请在通报页点击“重新生成”。"
        )
    else:
        messages.success(request, f"已生成 {day:%Y-%m-%d} 的每日通报。")
    return redirect(review)


@require_POST
@capability_required(can.may_build_daily_reviews, "只有民意访评中心可以重新生成通报。")
def review_rebuild(request, day: date):
    review = _review_or_404(day)
    try:
        review = daily_review_build(day=review.day, rebuild=True, actor=request.user, request=request)
    except ReviewError as error:
        messages.error(request, str(error))
        return redirect(review)
    messages.success(
        request, f"已按最新数据重新生成 {day:%Y-%m-%d} 的通报(第 {review.rebuilt_count} 次重新生成,已记入审计日志)。"
    )
    return redirect(review)
