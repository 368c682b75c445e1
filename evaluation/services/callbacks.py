"""Next-day callbacks (次日回访): made every morning for the day before, worked by the evaluation centre.

Which sources are called back, and whom:
- every visit of the day: a household visit calls the household; an organisation visit (单位走访) calls the
  organisation's contact phone — it is police work like any other, so it is checked the same way, with no
  household on the callback; a visit entered late (补录) for an earlier day is called back after the day it was
  entered, as the job for its own day had already run;
- every matter closed that day (a merged one is answered by the matter it was merged into, which is called back
  itself) that has a number to call (`Matter.contact_phone`): the phone the resident left with it, else their
  household's. A matter with none — a walk-in who left no phone, of no household or of one without a phone — has
  nobody to call: it gets no callback, and its page says so (`evaluation_tags.matter_callback`). Made anyway, it
  would sit in the queue as a call nobody can make and count as 联系不上 against the unit that answered it;
- every ledger item closed that day, by the same rule: the phone of the matter it came from, else its household's.
  (A visit is called back whatever: it is the check that the visit happened, and a household without a phone is
  said so on the callback and given up at once.)

A callback's steps (due → done, or due → given up after three days not reached) are one small map, written
here rather than through the core workflow engine: the history of a callback is its calls (CallbackAttempt), one
row per call, written in the same transaction as the change under a row lock.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from evaluation.errors import CallbackError
from evaluation.models import Callback, CallbackAttempt, Satisfaction
from evaluation.models.callbacks import ATTEMPT_NOTE_MAX_LENGTH, COMMENT_MAX_LENGTH, MAX_ATTEMPTS
from evaluation.selectors.callbacks import callback_phone, callback_phone_is_households
from feedback.models import Matter
from feedback.models.matters import has_contact_phone
from feedback.services.classification import CALLBACK_COMMENT_LABEL
from feedback.services.matters import matter_register, matter_reopen
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.services import personal_number_reveal
from ledger.models import LedgerItem
from ledger.services.items import ledger_item_reopen
from visits.models import Visit

Source = Callback.Source
State = Callback.State


def _day_range(day: date) -> tuple[datetime, datetime]:
    start = midnight(day)
    return start, start + timedelta(days=1)


def _visits_to_call(start: datetime, end: datetime):
    # The day's visits, and those entered that day for an earlier day (补录): the job for their own day had run
    # before they were entered, and a visit entered late is not to escape the check.
    return Visit.objects.filter(
        Q(visited_at__gte=start, visited_at__lt=end) | Q(created_at__gte=start, created_at__lt=end)
    ).filter(visited_at__lt=end, callback__isnull=True)


def _matters_to_call(day: date, start: datetime, end: datetime):
    done = Callback.objects.filter(source=Source.MATTER, source_date=day).values("matter_id")
    return (
        Matter.objects.filter(state=Matter.State.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .filter(has_contact_phone())
        .exclude(pk__in=done)
    )


def _items_to_call(day: date, start: datetime, end: datetime):
    done = Callback.objects.filter(source=Source.LEDGER_ITEM, source_date=day).values("ledger_item_id")
    return (
        LedgerItem.objects.filter(state=LedgerItem.State.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .filter(Q(household__phone__gt="") | has_contact_phone("matter__"))
        .exclude(pk__in=done)
    )


def callbacks_missing(*, day: date) -> bool:
    """Whether `day` still has a source with no callback: its job has not run, or not to the end."""
    start, end = _day_range(day)
    return any(
        queryset.exists()
        for queryset in (
            _visits_to_call(start, end),
            _matters_to_call(day, start, end),
            _items_to_call(day, start, end),
        )
    )


def _visit_callbacks(day: date, start: datetime, end: datetime) -> list[Callback]:
    visits = (
        _visits_to_call(start, end)
        .only("pk", "household_id", "village_id", "unit_id", "visitor_id", "visited_at")
        .order_by("pk")
    )
    return [
        Callback(
            source=Source.VISIT,
            visit=visit,
            household_id=visit.household_id,
            village_id=visit.village_id,
            unit_id=visit.unit_id,
            worker_id=visit.visitor_id,
            source_date=timezone.localdate(visit.visited_at),
        )
        for visit in visits
    ]


def _matter_callbacks(day: date, start: datetime, end: datetime) -> list[Callback]:
    matters = (
        _matters_to_call(day, start, end)
        .select_related("household")
        .only("pk", "household__village_id", "unit_id", "assigned_unit_id", "assignee_id", "owner_id")
        .order_by("pk")
    )
    return [
        Callback(
            source=Source.MATTER,
            matter=matter,
            household_id=matter.household_id,
            village_id=matter.household.village_id if matter.household_id else None,
            # Whose work is checked: the one who handled it, in the unit it was handled by.
            unit_id=matter.assigned_unit_id or matter.unit_id,
            worker_id=matter.assignee_id or matter.owner_id,
        )
        for matter in matters
    ]


def _item_callbacks(day: date, start: datetime, end: datetime) -> list[Callback]:
    items = (
        _items_to_call(day, start, end)
        .select_related("household")
        .only("pk", "household__village_id", "unit_id", "delivered_by_id")
        .order_by("pk")
    )
    return [
        Callback(
            source=Source.LEDGER_ITEM,
            ledger_item=item,
            household_id=item.household_id,
            village_id=item.household.village_id if item.household_id else None,
            unit_id=item.unit_id,
            worker_id=item.delivered_by_id,
        )
        for item in items
    ]


def callbacks_create(*, day: date) -> int:
    """The callbacks for `day`, due the day after. Run twice for a day, it makes nothing new: each source already
    called back is left out by the query, and a run racing another is stopped by the unique constraints
    (conflicting rows are skipped). A few queries whatever the day's size. Returns how many were made."""
    start, end = _day_range(day)
    callbacks = (
        _visit_callbacks(day, start, end) + _matter_callbacks(day, start, end) + _item_callbacks(day, start, end)
    )
    due = day + timedelta(days=1)
    for callback in callbacks:
        callback.source_date, callback.due_date = callback.source_date or day, due
    # What this run made: new callbacks due the next day, not yet called (a retry moved there has been).
    made = Callback.objects.filter(due_date=due, attempts=0)
    before = made.count()
    Callback.objects.bulk_create(callbacks, batch_size=500, ignore_conflicts=True)
    return made.count() - before


def callback_phone_reveal(*, callback: Callback, actor: User, request=None) -> str:
    """拨打电话: the number in full, for this response, and an audit entry saying who saw it for which callback."""
    require(actor, can.may_call_residents_back, error=CallbackError, message="只有民意访评中心可以拨打回访电话。")
    phone = callback_phone(callback)
    if not phone:
        raise CallbackError("没有登记联系电话,无法拨打。请记为“未联系上”。")
    if callback_phone_is_households(callback):
        # The household reveal itself: the same check of who may see the number, audited against this callback.
        personal_number_reveal(
            household=callback.household, field="phone", actor=actor, target=callback, request=request
        )
    else:
        audit_record(
            action=Action.REVEAL_PHONE,
            actor=actor,
            request=request,
            target=callback,
            detail={"source": callback.source},
        )
    return phone


def _reopen(callback: Callback, *, actor: User, comment: str, request) -> str:
    """不满意 with a closed matter or ledger item: it goes back through its own workflow. Returns what was done,
    for the message; "" when it was no longer closed (reopened meanwhile by another callback or the resident)."""
    reason = comment or "次日回访群众不满意"
    if callback.source == Source.MATTER and callback.matter.state == Matter.State.CLOSED:
        matter_reopen(matter=callback.matter, actor=actor, reason=reason, request=request)
        return f"诉求 {callback.matter.reference} 已重新办理"
    if callback.source == Source.LEDGER_ITEM and callback.ledger_item.state == LedgerItem.State.CLOSED:
        ledger_item_reopen(item=callback.ledger_item, actor=actor, reason=reason, request=request)
        return "台账事项已退回重新整改"
    return ""


@transaction.atomic
def callback_record(
    *,
    callback: Callback,
    actor: User,
    reached: bool,
    visit_check: str = "",
    satisfaction: str = "",
    comment: str = "",
    today: date | None = None,
    request=None,
) -> tuple[Callback, str]:
    """One call: reached → done with its answers (不满意 reopens a matter or ledger item); not reached → tried
    again tomorrow, and after the third day given up. The call is a CallbackAttempt, written under the callback's
    row lock: the same form sent twice finds the callback no longer due today and records nothing more.
    Returns the callback and a sentence saying what happened."""
    require(actor, can.may_call_residents_back, error=CallbackError, message="只有民意访评中心可以记录回访。")
    today = today or timezone.localdate()
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise CallbackError(f"群众意见最多 {COMMENT_MAX_LENGTH} 个字,请精简后再提交。")
    locked = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("household", "matter", "ledger_item", "worker")
        .get(pk=callback.pk)
    )
    if locked.state != State.DUE:
        raise CallbackError(f"这条回访已经{locked.get_state_display()},无需再记录。")
    if locked.due_date > today:
        raise CallbackError("这条回访今天已经拨打过,明天再打。")
    is_visit = locked.source == Source.VISIT
    if reached:
        if is_visit and visit_check not in Callback.VisitCheck.values:
            raise CallbackError("请选择群众是否确认民警上门走访。")
        denied = is_visit and visit_check == Callback.VisitCheck.DENIED
        if satisfaction not in Satisfaction.values and not denied:
            raise CallbackError("请选择满意度。")
    # No number to call: retrying on the next days would change nothing.
    no_phone = not reached and not callback_phone(locked)
    # Not reached, what the evaluator wrote (空号, 关机, 家人说外出打工) is kept on the call itself.
    note = "" if reached else (comment or ("未登记电话" if no_phone else ""))
    if len(note) > ATTEMPT_NOTE_MAX_LENGTH:
        raise CallbackError(f"未联系上时的情况说明最多 {ATTEMPT_NOTE_MAX_LENGTH} 个字(现有 {len(note)} 个字)。")
    now = timezone.now()
    gave_up = not reached and (no_phone or locked.attempts + 1 >= MAX_ATTEMPTS)
    try:
        with transaction.atomic():
            CallbackAttempt.objects.create(
                callback=locked,
                caller=actor,
                called_at=now,
                call_date=today,
                reached=reached,
                gave_up=gave_up,
                note=note,
            )
    except IntegrityError as error:
        raise CallbackError("这条回访今天已经拨打过,明天再打。") from error
    locked.attempts += 1
    fields = ["attempts"]
    who = _who(locked)
    if reached:
        locked.state, locked.done_by, locked.done_at = State.DONE, actor, now
        locked.visit_check = visit_check if is_visit else ""
        locked.satisfaction = satisfaction
        locked.comment = comment
        fields += ["state", "done_by", "done_at", "visit_check", "satisfaction", "comment"]
        if locked.is_false_visit:
            message = f"已记录:{who}说民警没有上门,已标记为{locked.worker}的虚假走访。"
        else:
            said = [locked.get_visit_check_display()] if is_visit else []
            message = f"已记录:{who}{'、'.join([*said, locked.get_satisfaction_display()])}。"
    elif gave_up:
        locked.state = State.GIVEN_UP
        fields.append("state")
        message = f"{who}连续 {MAX_ATTEMPTS} 天未联系上,已放弃回访并计入统计。"
        if no_phone:
            message = f"{who}没有登记电话,无法回访,已记为联系不上并计入统计。可请责任民警走访时补登电话。"
    else:
        locked.due_date = today + timedelta(days=1)
        fields.append("due_date")
        message = f"{who}未联系上,明天再打(第 {locked.attempts} 次,共 {MAX_ATTEMPTS} 次)。"
    locked.save(update_fields=fields)
    if locked.state != State.DUE:
        audit_record(
            action=Action.STATE_CHANGED,
            actor=actor,
            request=request,
            target=locked,
            detail={"from": State.DUE, "to": locked.state},
        )
    if reached and satisfaction == Satisfaction.NOT_SATISFIED:
        reopened = _reopen(locked, actor=actor, comment=comment, request=request)
        if reopened:
            message += f"群众不满意,{reopened}。"
    return locked, message


def _who(callback: Callback) -> str:
    if callback.household_id:
        return f"{callback.household.head_name}户"
    return callback.get_source_display()


@transaction.atomic
def callback_comment_to_matter(*, callback: Callback, actor: User, request=None) -> tuple[Matter, bool]:
    """转为诉求: the resident's comment registered as a new matter (channel 电话), in one step. Asked again, it
    finds the matter made the first time. Returns the matter and whether it was made now."""
    require(actor, can.may_call_residents_back, error=CallbackError, message="只有民意访评中心可以登记回访意见。")
    locked = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("household__village", "village", "new_matter", "matter", "ledger_item__matter")
        .select_related("visit__organisation")
        .get(pk=callback.pk)
    )
    if locked.new_matter_id:
        return locked.new_matter, False
    if locked.state != State.DONE or not locked.comment:
        raise CallbackError("只有已回访、且记录了群众意见的回访才能转为诉求。")
    if locked.reopened_its_source:
        raise CallbackError("群众意见已随重新办理转给承办人,不再另立诉求。")
    # The matter belongs to the unit of the place, as a matter heard there would; a walk-in's to the unit checked.
    unit = locked.village.unit if locked.village_id else locked.unit
    matter = matter_register(
        channel=Matter.Channel.PHONE,
        content=f"{CALLBACK_COMMENT_LABEL}{locked.comment}",
        unit=unit,
        actor=actor,
        household=locked.household,
        resident_phone="" if callback_phone_is_households(locked) else callback_phone(locked),
        request=request,
    )
    locked.new_matter = matter
    locked.save(update_fields=["new_matter"])
    return matter, True
