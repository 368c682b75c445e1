"""Matters: the work queues, a matter's page, and its actions (one POST view, the map decides)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from feedback import selectors, services
from feedback.filters import MatterFilter
from feedback.forms import AnalyseForm, CloseForm, DispatchForm, HandOverForm, MergeForm, NoteForm
from feedback.models import Matter
from feedback.permissions import matter_actions
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.scopes import villages_visible_to

QUEUES = {
    "mine": ("我的诉求", selectors.my_matters),
    "to_process": ("待研判/分流", selectors.matters_to_process),
    "overdue": ("超期督办", selectors.overdue_matters),
    "all": ("全部", selectors.all_matters),
}


@login_required
def matter_list(request):
    queue = request.GET.get("queue", "mine")
    if queue not in QUEUES:
        queue = "mine"
    title, select = QUEUES[queue]
    matter_filter = MatterFilter(
        request.GET or None, queryset=select(user=request.user), villages=villages_visible_to(request.user)
    )
    context = {
        "queue": queue,
        "queues": QUEUES,
        "title": title,
        "filter": matter_filter,
        # the collapsed filters stay open while one of them is in use
        "more_filters": any(request.GET.get(name) for name in matter_filter.filters if name != "q"),
        **paginate(request, matter_filter.qs),
    }
    return render(request, "feedback/matter_list.html", context)


def _forms(request, matter: Matter, actions: set[str], bound: dict | None = None) -> dict:
    # Each form is prefixed with its action: several forms on one page must not share field ids.
    forms = {
        "analyse": AnalyseForm(prefix="analyse", initial={"category": matter.category, "urgency": matter.urgency}),
        "merge": MergeForm(prefix="merge", suggestions=_suggestions(request, matter))
        if "merge" in actions and "merge" not in (bound or {})
        else None,
        "dispatch": DispatchForm(prefix="dispatch", initial={"assigned_unit": matter.unit_id}),
        "start": None,
        "progress": NoteForm(prefix="progress"),
        "send_back": NoteForm(prefix="send_back"),
        "close": CloseForm(prefix="close"),
        "hand_over": HandOverForm(prefix="hand_over", actor=request.user),
    }
    forms.update(bound or {})
    return {action: form for action, form in forms.items() if action in actions}


@login_required
def matter_detail(request, pk: int):
    matter = selectors.get_matter_for_user(request.user, pk)
    return render(request, "feedback/matter_detail.html", _detail_context(request, matter))


def _detail_context(request, matter: Matter, bound: dict | None = None) -> dict:
    actions = matter_actions(request.user, matter)
    return {
        "matter": matter,
        "events": selectors.matter_history(matter=matter),
        "merged": selectors.merged_matters(matter=matter),
        "handovers": matter.handovers.select_related("from_user", "to_user"),
        "forms": _forms(request, matter, actions, bound),
    }


def _suggestions(request, matter: Matter) -> list:
    return selectors.merge_suggestions(matter=matter, user=request.user)


def _merge(matter, actor, data, request):
    into = selectors.matters_visible_to(actor).filter(reference=data["reference"]).first()
    if into is None:
        raise services.MatterError("没有找到该查询编号的诉求。")
    return services.matter_merge(matter=matter, actor=actor, into=into, request=request)


# action → (form, what to do with its cleaned data)
ACTIONS = {
    "analyse": (AnalyseForm, lambda m, u, d, r: services.matter_analyse(matter=m, actor=u, request=r, **d)),
    "merge": (MergeForm, _merge),
    "dispatch": (DispatchForm, lambda m, u, d, r: services.matter_dispatch(matter=m, actor=u, request=r, **d)),
    "start": (None, lambda m, u, d, r: services.matter_start(matter=m, actor=u, request=r)),
    "progress": (NoteForm, lambda m, u, d, r: services.matter_progress(matter=m, actor=u, note=d["note"])),
    "send_back": (
        NoteForm,
        lambda m, u, d, r: services.matter_send_back(matter=m, actor=u, reason=d["note"], request=r),
    ),
    "close": (CloseForm, lambda m, u, d, r: services.matter_close(matter=m, actor=u, request=r, **d)),
    "hand_over": (HandOverForm, lambda m, u, d, r: services.matter_hand_over(matter=m, actor=u, request=r, **d)),
}
DONE = {
    "analyse": "研判完成。",
    "merge": "已合并。",
    "dispatch": "已分流。",
    "start": "已开始处理。",
    "progress": "进展已记录。",
    "send_back": "已退单。",
    "close": "已办结。",
    "hand_over": "已移交。",
}


@require_POST
@login_required
def matter_act(request, pk: int, action: str):
    matter = selectors.get_matter_for_user(request.user, pk)
    if action not in ACTIONS or action not in matter_actions(request.user, matter):
        raise PermissionDenied("您不能对这件诉求执行该操作。")
    form_class, perform = ACTIONS[action]
    form = None
    if form_class is not None:
        extra = {}
        if form_class is HandOverForm:
            extra = {"actor": request.user}
        elif form_class is MergeForm:
            extra = {"suggestions": _suggestions(request, matter)}
        form = form_class(request.POST, prefix=action, **extra)
        if not form.is_valid():
            context = _detail_context(request, matter, bound={action: form})
            return render(request, "feedback/matter_detail.html", context, status=400)
    try:
        perform(matter, request.user, form.cleaned_data if form else {}, request)
    except services.MatterError as error:
        messages.error(request, str(error))
        if selectors.matters_visible_to(request.user).filter(pk=matter.pk).exists():
            return redirect(matter)
        return redirect("feedback:matter_list")
    # An action may take the matter out of the actor's sight (退单, 移交, 分流 to another unit): its page would
    # be a 404 to them, so they land on their queue, told where the matter went.
    if not selectors.matters_visible_to(request.user).filter(pk=matter.pk).exists():
        matter.refresh_from_db()
        where = _whereabouts(matter, action)
        messages.success(request, f"{DONE[action]}诉求 {matter.reference} {where},已不在您的范围内。")
        return redirect("feedback:matter_list")
    messages.success(request, DONE[action])
    return redirect(matter)


def _whereabouts(matter: Matter, action: str) -> str:
    """Where a matter is now, in the words of the queue it sits in."""
    if action == "hand_over":
        return f"已移交给{matter.owner},由其负责到底"
    if matter.state == Matter.State.MERGED:
        return f"已合并到诉求 {matter.duplicate_of.reference}"
    if matter.state == Matter.State.CLOSED:
        return "已办结"
    if matter.state in (Matter.State.DISPATCHED, Matter.State.HANDLING):
        assignee = f"·{matter.assignee}" if matter.assignee_id else ""
        return f"现由{matter.assigned_unit}{assignee}承办"
    return f"已回到{matter.unit}待研判、分流"
