"""Matters: the work queues, a matter's page, and its actions (one POST view; the workflow's registry decides)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render

from feedback import selectors, services
from feedback.filters import MatterFilter
from feedback.models import Matter
from feedback.permissions import matter_actions, may_contact_resident, offered_actions
from feedback.workflows import MATTER_FLOW
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.forms import RevealForm
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.scopes import villages_visible_to
from jingshi_jiafang.core.workflow import Action

QUEUES = {
    "mine": ("我的诉求", selectors.my_matters),
    "to_process": ("待研判/分流", selectors.matters_to_process),
    "overdue": ("超期督办", selectors.overdue_matters),
    "all": ("全部", selectors.all_matters),
}


def queues_for(user) -> dict:
    """The tabs this person has: the dispatcher's queue only for those who analyse and dispatch."""
    if selectors.is_dispatcher(user):
        return QUEUES
    return {key: queue for key, queue in QUEUES.items() if key != "to_process"}


def default_queue(user) -> str:
    """The tab the page opens on: 我的诉求 for those who handle, own or hear matters; 全部 for the county-wide
    departments (legal, the evaluation centre), who read matters and have none of their own to work."""
    return "all" if can.sees_whole_county(user) else "mine"


@login_required
def matter_list(request):
    queues = queues_for(request.user)
    queue = request.GET.get("queue", "")
    if queue not in queues:
        queue = default_queue(request.user)
    title, select = queues[queue]
    matter_filter = MatterFilter(
        request.GET or None, queryset=select(user=request.user), villages=villages_visible_to(request.user)
    )
    context = {
        "queue": queue,
        "queues": queues,
        "title": title,
        "filter": matter_filter,
        # the collapsed filters stay open while one of them is in use
        "more_filters": any(request.GET.get(name) for name in matter_filter.filters if name != "q"),
        **paginate(request, matter_filter.qs),
    }
    if queue != "all" and matter_filter.is_filtering and not context["page"].object_list:
        context["elsewhere"] = _found_in_all(request)
    return render(request, "feedback/matter_list.html", context)


def _found_in_all(request) -> dict:
    """A search that finds nothing in one tab may find the matter under 全部 (closed, someone else's): say how
    many, with the link to them."""
    found = MatterFilter(
        request.GET, queryset=selectors.all_matters(user=request.user), villages=villages_visible_to(request.user)
    ).qs.count()
    return {"count": found, "query": urlencode({**request.GET.dict(), "queue": "all", "page": 1})}


def _forms(request, matter: Matter, actions: list[Action], bound: dict | None = None) -> dict:
    """The form of each action offered (None for a plain button), the one just sent kept as it was sent. Each is
    prefixed with its action: several forms on one page must not share field ids."""
    bound = bound or {}
    return {
        action.name: bound[action.name] if action.name in bound else _form(request, matter, action)
        for action in actions
    }


def _form(request, matter: Matter, action: Action, data=None):
    if action.form_class is None:
        return None
    return action.form_class(data, prefix=action.name, user=request.user, matter=matter)


@login_required
def matter_detail(request, pk: int):
    matter = selectors.get_matter_for_user(request.user, pk)
    return render(request, "feedback/matter_detail.html", _detail_context(request, matter))


def _detail_context(request, matter: Matter, bound: dict | None = None, revealed: bool = False) -> dict:
    actions = offered_actions(request.user, matter)
    forms = _forms(request, matter, actions, bound)
    contacts = may_contact_resident(request.user, matter)
    return {
        "matter": matter,
        "shows_resident_phone": contacts,
        "may_reveal_resident_phone": contacts and can.may_reveal(request.user, "phone"),
        "revealed": revealed,
        "next_steps": selectors.next_steps(matter=matter, offered={action.name for action in actions}),
        # The form just sent and refused: named at the top, since on a phone it may sit far down the page.
        "refused": [(action, forms[action.name]) for action in actions if action.name in (bound or {})],
        "events": selectors.matter_history(matter=matter),
        # Handled again after 办结: the page says so at the top, as the lists do, and why.
        "reopening": selectors.last_reopening(matter=matter),
        "merged": selectors.merged_matters(matter=matter),
        "handovers": matter.handovers.select_related("from_user", "to_user"),
        "callbacks": selectors.callbacks_of(matter=matter),
        "forms": forms,
        "actions": [(action, forms[action.name]) for action in actions],
    }


@post_only("feedback:matter_detail")
@login_required
def matter_phone_reveal(request, pk: int):
    """The resident's phone in full and a tel: link, for this response only, to those who act on the matter;
    who saw it is audited."""
    matter = selectors.get_matter_for_user(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid() or form.cleaned_data["field"] != "phone":
        return HttpResponseBadRequest("无效的请求。")
    try:
        services.matter_phone_reveal(matter=matter, actor=request.user, request=request)
    except services.MatterError as error:
        raise PermissionDenied(str(error)) from error
    return render(request, "feedback/matter_detail.html", _detail_context(request, matter, revealed=True))


def _merge(matter, actor, data, request):
    into = selectors.matters_visible_to(actor).filter(reference=data["reference"]).first()
    if into is None:
        raise services.MatterError("没有找到该查询编号的诉求。")
    return services.matter_merge(matter=matter, actor=actor, into=into, request=request)


# How each action of the registry (feedback/workflows.py) calls its service with its form's cleaned data. The
# registry cannot name the services itself: they are built on it.
PERFORM = {
    "analyse": lambda m, u, d, r: services.matter_analyse(matter=m, actor=u, request=r, **d),
    "merge": _merge,
    "dispatch": lambda m, u, d, r: services.matter_dispatch(matter=m, actor=u, request=r, **d),
    "reassign": lambda m, u, d, r: services.matter_reassign(matter=m, actor=u, request=r, **d),
    "start": lambda m, u, d, r: services.matter_start(matter=m, actor=u, request=r),
    "progress": lambda m, u, d, r: services.matter_progress(matter=m, actor=u, note=d["note"]),
    "send_back": lambda m, u, d, r: services.matter_send_back(matter=m, actor=u, reason=d["note"], request=r),
    "close": lambda m, u, d, r: services.matter_close(matter=m, actor=u, request=r, **d),
    "hand_over": lambda m, u, d, r: services.matter_hand_over(matter=m, actor=u, request=r, **d),
}
if PERFORM.keys() != MATTER_FLOW.actions.keys():
    raise ImproperlyConfigured("Every action in the matter registry needs its service call in PERFORM.")


@post_only("feedback:matter_detail", url_kwargs=("pk",))
@login_required
def matter_act(request, pk: int, action: str):
    matter = selectors.get_matter_for_user(request.user, pk)
    if action not in matter_actions(request.user, matter):
        raise PermissionDenied("您不能对这件诉求执行该操作。")
    action = MATTER_FLOW.action(action)
    form = _form(request, matter, action, request.POST)
    if form is not None and not form.is_valid():
        context = _detail_context(request, matter, bound={action.name: form})
        return render(request, "feedback/matter_detail.html", context, status=400)
    try:
        PERFORM[action.name](matter, request.user, form.cleaned_data if form else {}, request)
    except services.MatterError as error:
        matter.refresh_from_db()
        if form is not None and action.name in matter_actions(request.user, matter):
            # Refused by a rule the form cannot check (a closed matter to merge into, a confirmed category): the
            # form comes back as it was typed, with the reason, while the action is still there to retry.
            form.add_error(None, str(error))
            context = _detail_context(request, matter, bound={action.name: form})
            return render(request, "feedback/matter_detail.html", context, status=400)
        messages.error(request, str(error))
        refused = True
    else:
        refused = False
    # An action may take the matter out of the actor's sight (退单, 移交, 分流 to another unit): its page would
    # be a 404 to them, so they land on their queue, told where the matter went.
    if selectors.matters_visible_to(request.user).filter(pk=matter.pk).exists():
        if not refused:
            messages.success(request, action.done_message(matter))
        return redirect(matter)
    if not refused:
        matter.refresh_from_db()
        where = _whereabouts(matter, action.name)
        messages.success(request, f"{action.done_message(matter)}诉求 {matter.reference} {where},已不在您的范围内。")
    return redirect("feedback:matter_list")


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
