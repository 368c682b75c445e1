from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from feedback import selectors, services
from feedback.forms import AddMattersForm, SolutionForm, TopicPickForm, TopicVisitForm
from feedback.models import Category, TopicVisitMatter
from feedback.scopes import get_topic_item_for_leader
from jingshi_jiafang.core.capabilities import may_lead_topic_visits, may_read_topic_visits
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required

read_topic_visits = capability_required(may_read_topic_visits, "专题家访只对局领导、法制部门和民意访评中心开放。")
lead_topic_visits = capability_required(may_lead_topic_visits, "专题家访由局领导带队。")


@read_topic_visits
def topic_visit_list(request):
    topic_visits = selectors.topic_visits_visible_to(request.user).select_related("leader").order_by("-month", "-pk")
    return render(request, "feedback/topicvisit_list.html", paginate(request, topic_visits))


def _picked_topic(request) -> tuple | None:
    """The closed month and topic the leader picked to start from (?month=YYYY-MM&category=...), if any."""
    if "category" not in request.GET:
        return None
    pick = TopicPickForm(request.GET)
    if pick.is_valid() and selectors.month_closed(pick.cleaned_data["month"]):
        return pick.cleaned_data["month"], pick.cleaned_data["category"]
    messages.error(request, "所选月份的类别研判尚未关闭,或类别不对;请从下面列出的已关闭月份中选择。")
    return None


@lead_topic_visits
@require_http_methods(["GET", "POST"])
def topic_visit_create(request):
    topic = _picked_topic(request)
    candidates = None
    if topic:
        candidates = selectors.closed_topic_open_matters(user=request.user, month=topic[0], category=topic[1])
    form = TopicVisitForm(request.POST or None, user=request.user, topic=topic, candidates=candidates)
    if form.is_valid():
        fields = {**form.cleaned_data, "matters": list(form.cleaned_data.get("matters", []))}
        try:
            topic_visit, created = services.topic_visit_create_once(leader=request.user, **fields)
        except services.FeedbackError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _created_message(created, len(fields["matters"])))
            return redirect(topic_visit)
    context = {
        "form": form,
        "topic": topic,
        "topic_label": Category(topic[1]).label if topic else "",
        "months": None if topic else selectors.topic_visit_months(user=request.user),
        "groups": selectors.by_village(candidates) if topic else None,
        # the ticks a refused form keeps
        "ticked": set(request.POST.getlist("matters")),
    }
    return render(request, "feedback/topicvisit_form.html", context, status=400 if form.errors else 200)


def _created_message(created: bool, matters: int) -> str:
    if not created:
        return "这张表单已经提交过,没有再创建:这是当时创建的专题家访。"
    if matters:
        return f"专题家访已创建,已带上 {matters} 件诉求。下一步:入户商定解决办法。"
    return "专题家访已创建。下一步:挑选要带去入户的诉求。"


@read_topic_visits
def topic_visit_detail(request, pk: int):
    topic_visit = selectors.get_topic_visit_for_user(request.user, pk)
    return _detail(request, topic_visit)


def _detail(request, topic_visit, *, refused: SolutionForm | None = None, refused_item: int | None = None):
    """The topic visit's page; a refused solution is shown on its own item's form, with what was typed."""
    text = request.GET.get("q", "").strip()
    is_leader = topic_visit.leader_id == request.user.pk
    candidates = selectors.topic_visit_candidates(topic_visit=topic_visit, text=text) if is_leader else None
    items = list(topic_visit.items.select_related("matter__household__village__parent", "visit"))
    for item in items:
        item.solution_form = refused if item.pk == refused_item else SolutionForm(prefix=_prefix(item))
    context = {
        "topic_visit": topic_visit,
        "staff": topic_visit.staff.select_related("unit").order_by("unit__code", "name"),
        "items": items,
        "is_leader": is_leader,
        "q": text,
        "add_form": AddMattersForm(candidates=candidates[:50]) if is_leader else None,
    }
    return render(request, "feedback/topicvisit_detail.html", context, status=400 if refused else 200)


def _prefix(item) -> str:
    """Each item's form on the page has its own field ids, so a label leads to its own item's field."""
    return f"item{item.pk}"


@post_only("feedback:topic_visit_detail")
@lead_topic_visits
def topic_visit_add_matters(request, pk: int):
    topic_visit = selectors.get_topic_visit_for_user(request.user, pk)
    if topic_visit.leader_id != request.user.pk:
        raise Http404("没有找到该专题家访。")
    form = AddMattersForm(request.POST, candidates=selectors.topic_visit_candidates(topic_visit=topic_visit))
    if form.is_valid():
        services.topic_visit_add_matters(
            topic_visit=topic_visit, actor=request.user, matters=list(form.cleaned_data["matters"])
        )
        messages.success(request, f"已加入 {len(form.cleaned_data['matters'])} 件诉求。")
    else:
        messages.error(request, "请至少勾选一件诉求。")
    return redirect(topic_visit)


def _solution_page(request, pk: int) -> str:
    """The topic visit whose page holds this item's solution form, for its leader; else the list."""
    mine = TopicVisitMatter.objects.filter(pk=pk, topic_visit__leader=request.user.pk or None)
    topic_visit = mine.values_list("topic_visit", flat=True).first()
    if topic_visit is None:
        return reverse("feedback:topic_visit_list")
    return reverse("feedback:topic_visit_detail", args=[topic_visit])


@post_only(_solution_page)
@lead_topic_visits
def topic_visit_solution(request, pk: int):
    item = get_topic_item_for_leader(request.user, pk)
    form = SolutionForm(request.POST, prefix=_prefix(item))
    if form.is_valid():
        try:
            services.topic_visit_record_solution(item=item, actor=request.user, **form.cleaned_data)
        except services.SolutionAlreadyRecorded as error:
            # The page shows the recorded solution and no form to hold the refusal: say it above.
            messages.info(request, str(error))
            return redirect(item.topic_visit)
        except services.FeedbackError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "解决办法已记录:入户情况写入民情日记,商定的事记入台账,逐项兑现销号。")
            return redirect(item.topic_visit)
    return _detail(request, item.topic_visit, refused=form, refused_item=item.pk)
