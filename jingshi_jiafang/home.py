"""Each role's home page. For the people who work cases it is a to-do list: queues with counts, overdue work
first, every item linking to the page where it is done.

The page shows several apps at once, so it is put together here, at the top of the project, from the selectors
of the apps that own the data (STYLE.md, "Between apps"): visits for night-visit plans and households due a
visit, feedback for matters and talk-room callbacks, ledger for ledger items due and to close and for a leader's
or cadre's pairing duty, evaluation for the evaluation centre's next-day callbacks and a leader's or cadre's area
figures of the month. No app imports another for it. Each queue costs a count and one short list, so the page's
queries do not grow with the data.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q, QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from evaluation.selectors import callbacks as callback_selectors
from evaluation.selectors import dashboard as dashboard_selectors
from feedback import selectors as feedback_selectors
from feedback.services.classification import previous_month
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core import selectors as core_selectors
from jingshi_jiafang.core.assignment import assignable_villages, unlinked_households
from jingshi_jiafang.core.dates import due_visit_cutoff
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.scopes import households_visible_to, unit_subtree
from ledger import selectors as ledger_selectors
from ledger.selectors import pairing as pairing_selectors
from visits import selectors as visits_selectors
from visits.night import WEEKDAY_NAMES, evening_is_over, is_night_date, window_text

Role = User.Role
SHOWN = 5


@dataclass(frozen=True)
class TodoItem:
    title: str
    detail: str
    url: str
    flag: str = ""  # a short red label when the item is late: 超期, 从未走访 …


@dataclass(frozen=True)
class TodoQueue:
    key: str
    title: str
    count: int
    items: list[TodoItem]
    url: str  # where the whole queue is worked
    empty: str  # said when the queue is empty: what that means and what to do next
    overdue: bool = False  # a queue of late work: red when not empty, and listed first
    empty_action: str = ""
    empty_url: str = ""


def _queue(key, title, rows: QuerySet, item, **fields) -> TodoQueue:
    count = rows.count()
    items = [item(row) for row in rows[:SHOWN]] if count else []
    return TodoQueue(key=key, title=title, count=count, items=items, **fields)


def _late_first(queues: list[TodoQueue]) -> list[TodoQueue]:
    """Late work first, then the queues with work, then the empty ones: on a phone the cards that say "nothing
    here" would otherwise push the work below the fold."""
    return sorted(queues, key=lambda queue: (not (queue.overdue and queue.count), not queue.count))


# Night visits (visits).


def _next_night_date(today):
    return next(today + timedelta(days=n) for n in range(1, 8) if is_night_date(today + timedelta(days=n)))


def _night_date_text(day) -> str:
    return f"{day:%m月%d日}(周{WEEKDAY_NAMES[day.weekday()]})"


def _officer_tonight(user: User) -> TodoQueue:
    today = timezone.localdate()
    plan = visits_selectors.night_plan_of(user=user, day=today)
    items = []
    if plan is not None:
        url = f"{reverse('households:household_list')}?area={plan.village_id}"
        # Said as on the station head's card: a night visit typed in another village keeps no plan, and the officer
        # learns it here that evening rather than from the month's score.
        done = "已记录夜访" if plan.kept else f"尚未记录夜访({window_text()})"
        items = [TodoItem(f"{plan.village.parent} · {plan.village}", f"{done},点此查看该村联系户", url)]
    return TodoQueue(
        key="tonight",
        title="今晚夜访",
        count=len(items),
        items=items,
        url=reverse("visits:diary"),
        empty="" if items else _officer_next_night(user, today),
    )


def _officer_next_night(user: User, today) -> str:
    day = _next_night_date(today)
    plan = visits_selectors.night_plan_of(user=user, day=day)
    if plan is None:
        return f"今晚没有安排您夜访。下一个夜访日是{_night_date_text(day)},所长安排后会显示在这里。"
    return f"今晚没有安排您夜访。下一个夜访日{_night_date_text(day)}已安排您到{plan.village.parent} · {plan.village}。"


def _station_tonight(user: User) -> TodoQueue:
    today = timezone.localdate()
    plans = visits_selectors.night_plans_on(units=unit_subtree(user.unit), day=today)
    night_plan_url = reverse("visits:night_plan")
    if is_night_date(today) and evening_is_over(today):
        next_night = _night_date_text(_next_night_date(today))
        empty, action = f"今晚的夜访时间已过,没有安排民警夜访。下一个夜访日是{next_night},可以提前安排。", "去夜访安排"
    elif is_night_date(today):
        empty, action = "今晚是夜访日,还没有安排民警夜访。", "去夜访安排"
    else:
        next_night = _night_date_text(_next_night_date(today))
        empty, action = f"今晚不是夜访日。下一个夜访日是{next_night},可以提前安排。", "去夜访安排"
    return _queue(
        "tonight",
        "今晚夜访",
        plans,
        lambda plan: TodoItem(
            f"{plan.officer} · {plan.village}",
            "已记录夜访" if plan.kept else f"尚未记录夜访({window_text()})",
            night_plan_url,
        ),
        url=night_plan_url,
        empty=empty,
        empty_action=action,
        empty_url=night_plan_url,
    )


# Households due a visit (visits).


def _due_households(user: User, *, own: bool) -> TodoQueue:
    days = settings.VISIT_OVERDUE_DAYS
    cutoff = due_visit_cutoff()

    def item(household) -> TodoItem:
        officer = household.officer_name or "未分配民警"
        where = household.village.full_name if own else f"{household.village} · {officer}"
        return _due_item(f"{household.head_name}户", where, household.last_visited_at, household.get_absolute_url())

    queue = _queue(
        "due_households",
        "到期走访" if own else "逾期未走访户",
        visits_selectors.households_due_visit(user=user, cutoff=cutoff),
        item,
        # The same households as the count: the household list filtered to those due.
        url=f"{reverse('households:household_list')}?due=due",
        empty=f"所有{'联系户' if own else '住户'}都在{days}天内走访过。",
        overdue=True,
    )
    if own and not queue.count and not households_visible_to(user).exists():
        return replace(queue, empty="您还没有联系户。请联系所在单位负责人为您分配联系户。")
    return queue


def _due_item(title: str, where: str, last_visited_at, url: str) -> TodoItem:
    """A household or organisation due a visit. Never visited is said once, by the flag: twice, it filled a
    phone's narrow row."""
    if last_visited_at is None:
        return TodoItem(title, where, url, "从未走访")
    flag = f"超过{settings.VISIT_OVERDUE_DAYS}天"
    return TodoItem(title, f"{where} · 上次走访 {last_visited_at:%Y-%m-%d}", url, flag)


def _due_organisations(user: User) -> TodoQueue | None:
    """The organisations (单位) linked to the officer not visited within the same period as households; none when
    the officer has no organisation, rather than an empty queue that says they are all visited."""
    days = settings.VISIT_OVERDUE_DAYS
    cutoff = due_visit_cutoff()
    organisations = visits_selectors.organisation_list(user=user)
    due = organisations.filter(Q(last_visited_at__lt=cutoff) | Q(last_visited_at__isnull=True))

    def item(organisation) -> TodoItem:
        url = reverse("visits:organisation_detail", args=[organisation.pk])
        return _due_item(organisation.name, organisation.village.full_name, organisation.last_visited_at, url)

    queue = _queue(
        "due_organisations",
        "单位到期走访",
        due,
        item,
        url=reverse("visits:organisation_list"),
        empty=f"所有联系单位都在{days}天内走访过。",
    )
    if not queue.count and not organisations.exists():
        return None
    return queue


def _unlinked_households(user: User) -> TodoQueue | None:
    """A station head's households without a responsible officer, to be assigned (shown only while there are)."""
    rows = (
        unlinked_households(villages=assignable_villages(head=user))
        .select_related("village__parent")
        .order_by("village__code", "pk")
    )

    def item(household) -> TodoItem:
        url = reverse("households:unlinked_village", args=[household.village_id])
        return TodoItem(f"{household.head_name}户", household.village.full_name, url, "未分配")

    queue = _queue(
        "unlinked_households",
        "未分配责任民警的户",
        rows,
        item,
        url=reverse("households:unlinked_list"),
        empty="辖区内每一户都已有责任民警。",
    )
    return queue if queue.count else None


# Matters and callbacks (feedback).


def _matter_item(matter) -> TodoItem:
    if matter.deadline:
        due = f"期限 {timezone.localtime(matter.deadline):%m-%d %H:%M}"
    else:
        due = f"登记于 {timezone.localtime(matter.created_at):%m-%d %H:%M}"
    urgent = "紧急 · " if matter.urgency == matter.Urgency.URGENT else ""
    detail = f"{urgent}{matter.reference} · {matter.get_state_display()} · {due}"
    return TodoItem(matter.content[:40], detail, matter.get_absolute_url(), "超期" if matter.is_overdue else "")


def _matter_queue_url(queue: str) -> str:
    return f"{reverse('feedback:matter_list')}?queue={queue}"


def _my_matters(user: User) -> TodoQueue:
    matters = feedback_selectors.my_matters(user=user).order_by(F("deadline").asc(nulls_last=True), "-created_at")
    return _queue(
        "my_matters",
        # not 等我办理: a matter heard on one's visit is followed here while the duty desk analyses it
        "我的诉求",
        matters,
        _matter_item,
        url=_matter_queue_url("mine"),
        empty="没有未办结的诉求。分流给您的、由您首问登记的、您走访时听到的诉求会出现在这里,直到办结。",
    )


def _overdue_matters(user: User) -> TodoQueue:
    return _queue(
        "overdue_matters",
        "超期督办",
        feedback_selectors.overdue_matters(user=user),
        _matter_item,
        url=_matter_queue_url("overdue"),
        empty="没有超过办理期限的诉求。",
        overdue=True,
    )


def _matters_to_process(user: User) -> TodoQueue:
    matters = feedback_selectors.matters_to_process(user=user).order_by("-urgency", "created_at")
    return _queue(
        "to_process",
        "待研判/分流",
        matters,
        _matter_item,
        url=_matter_queue_url("to_process"),
        empty="没有等待研判或分流的诉求。新登记的群众反映会出现在这里。",
    )


def _callbacks_due(user: User) -> TodoQueue:
    today = timezone.localdate()
    callback_url = reverse("feedback:callback_list")
    return _queue(
        "callbacks",
        "到期回访",
        feedback_selectors.callbacks_due(user=user),
        lambda callback: TodoItem(
            callback.matter.content[:40],
            f"{callback.matter.reference} · 应于 {callback.due_date:%m-%d} 回访",
            callback_url,
            "逾期" if callback.due_date < today else "",
        ),
        url=callback_url,
        empty=f"今天没有到期的说事厅回访。说事厅诉求办结{settings.TALK_ROOM_CALLBACK_DAYS}天后会出现在这里。",
        overdue=True,
    )


# Ledger items (ledger).


def _ledger_item(item) -> TodoItem:
    where = f"{item.household.head_name}户" if item.household_id else item.for_whom or item.get_source_display()
    detail = f"{where} · {item.get_state_display()} · 期限 {item.deadline:%m-%d}"
    return TodoItem(item.what[:40], detail, item.get_absolute_url(), "超期" if item.is_overdue else "")


def _ledger_due_this_week(user: User) -> TodoQueue:
    return _queue(
        "ledger_due",
        "本周到期台账",
        ledger_selectors.items_due_this_week(user=user),
        _ledger_item,
        url=f"{reverse('ledger:my_items')}?due=week",
        empty="本周没有到期的台账事项。答应群众办的事记入台账后,会在到期那一周出现在这里。",
        overdue=True,
    )


def _ledger_to_close(user: User) -> TodoQueue:
    return _queue(
        "ledger_to_close",
        "待销号台账",
        ledger_selectors.items_to_close(user=user),
        _ledger_item,
        url=f"{reverse('ledger:item_list')}?state=delivered",
        empty="没有等待销号的台账事项。民警记录兑现后,会出现在这里由您核实销号。",
    )


def _my_open_items(user: User) -> TodoQueue:
    return _queue(
        "ledger_mine",
        "我的台账",
        ledger_selectors.my_items(user=user),
        _ledger_item,
        url=reverse("ledger:my_items"),
        empty="您没有未销号的台账事项。为结对户办的实事,请在结对户页点“记入台账”。",
        overdue=True,
    )


# Next-day callbacks (evaluation).


def _callback_queue(user: User, today) -> TodoQueue:
    queue_url = reverse("evaluation:callback_queue")

    def item(callback) -> TodoItem:
        who = f"{callback.household.head_name}户" if callback.household_id else callback.get_source_display()
        late = callback.due_date < today
        detail = f"{callback.get_source_display()} · {callback.source_date:%m-%d}" + (
            f" · 已拨打{callback.attempts}次" if callback.attempts else ""
        )
        return TodoItem(who, detail, reverse("evaluation:callback_detail", args=[callback.pk]), "逾期" if late else "")

    return _queue(
        "callbacks",
        "待回访(最早的在前)",
        callback_selectors.callback_queue(user=user, today=today).select_related("household"),
        item,
        url=queue_url,
        empty="今天的回访都已完成。每天清晨会为前一天的走访、办结诉求和销号台账生成新的回访。",
        empty_action="查看回访统计",
        empty_url=reverse("evaluation:callback_figures"),
    )


def evaluator_home(user: User) -> dict:
    """民意访评中心: today's callbacks — first calls, retries, the overdue — and the queue, oldest first."""
    today = timezone.localdate()
    counts = callback_selectors.queue_counts(user=user, today=today)
    return {"callback_counts": counts, "queues": [_callback_queue(user, today)]}


# The pages.


def officer_todo(user: User) -> list[TodoQueue]:
    """A community officer's evening and week: tonight's plan, matters with deadlines, households due, callbacks."""
    queues = [
        _officer_tonight(user),
        _my_matters(user),
        _ledger_due_this_week(user),
        _due_households(user, own=True),
        _due_organisations(user),
        _callbacks_due(user),
    ]
    return [queue for queue in queues if queue is not None]


def station_head_todo(user: User) -> list[TodoQueue]:
    """A station head's queues over the station's area, late work first."""
    queues = [
        _overdue_matters(user),
        _callbacks_due(user),
        _due_households(user, own=False),
        # 销号 is his alone (whoever delivered an item may not close it): the items wait for nobody else.
        _ledger_to_close(user),
        _unlinked_households(user),
        _matters_to_process(user),
        _station_tonight(user),
        _my_matters(user),
        # Items are his too: a matter dispatched to him, a solution agreed on a topic visit he led.
        _ledger_due_this_week(user),
    ]
    return _late_first([queue for queue in queues if queue is not None])


def duty_officer_todo(user: User) -> list[TodoQueue]:
    """The talk room's queues: late matters, callbacks due, new matters to analyse and dispatch, own matters, and
    the ledger items due this week of the matters dispatched to them (分流 makes them the item's 责任人)."""
    return _late_first(
        [
            _overdue_matters(user),
            _callbacks_due(user),
            _matters_to_process(user),
            _my_matters(user),
            _ledger_due_this_week(user),
        ]
    )


_HOME_TEMPLATES = {role: f"home/home_{role}.html" for role in Role}


@login_required
def home(request):
    user = request.user
    template = _HOME_TEMPLATES.get(user.role, "home/home_unassigned.html")
    if can.may_head_unit(user):
        template, context = "home/home_station_head.html", {"queues": station_head_todo(user)}
    elif can.may_be_linked_to_households(user):
        context = {"queues": officer_todo(user)}
    elif can.may_staff_talk_room(user):
        context = {"queues": duty_officer_todo(user)}
    else:
        context = {
            "summary": core_selectors.scope_summary(user=user),
            "area_links": core_selectors.area_links_of(user=user),
        }
        if can.may_be_paired(user):
            # 结对联建 (ledger): this week's duty to the paired household, and what is behind.
            context["pairing_duty"] = pairing_selectors.pairing_duty(user=user)
        if can.may_call_residents_back(user):
            context.update(evaluator_home(user))
        if can.may_view_dashboard(user):
            # The area's figures for this month (evaluation's summary tables), linking to the full dashboard.
            context["area_figures"] = dashboard_selectors.home_figures(
                scope=dashboard_selectors.Scope(user), period=dashboard_selectors.Period.this_month()
            )
        if can.may_review_topics(user):
            # The legal department's month: last month's matters still to confirm, before the report is drawn.
            month = previous_month(timezone.localdate())
            context["topic_month"] = {"month": month, **feedback_selectors.topic_month_summary(month=month)}
        if can.may_answer_for_ledger_items(user):
            # A leader's or cadre's own items (their pairing deeds, what they promised on a visit).
            context["queues"] = [_my_open_items(user)]
    return render(request, template, context)
