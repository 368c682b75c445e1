"""The flow of a resident's matter: 汇报 reported → 研判 analysed → 分流 dispatched → 处理 handling → 办结 closed.
The map and the actions are in feedback/workflows.py; every step here goes through its workflow, which locks
the row, checks the move, saves with update_fields, and writes the MatterEvent and the audit entry in the same
transaction. What is left here is what each step means: its fields, its notes, what follows from it.
"""

import logging
import secrets
import string
import uuid
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from feedback.errors import MatterError
from feedback.models import Category, Matter, MatterEvent, MatterHandover, TalkRoomCallback
from feedback.models.matters import NOTE_MAX_LENGTH, RESULT_MAX_LENGTH
from feedback.permissions import may_contact_resident
from feedback.selectors import RATINGS, answer_rating, overdue
from feedback.services.classification import topic_suggest
from feedback.workflows import MATTER_FLOW, dispatches
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import is_system_actor, require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.errors import bounded_text
from jingshi_jiafang.core.models import Household, Unit, User
from jingshi_jiafang.core.scopes import county_units
from visits.models import Visit

State = Matter.State


log = logging.getLogger(__name__)
_bounded = partial(bounded_text, error=MatterError)


def deadline_for(*, category: str, urgency: str, start=None):
    days = settings.MATTER_DEADLINE_DAYS["urgent" if urgency == Matter.Urgency.URGENT else category or Category.OTHER]
    return (start or timezone.now()) + timedelta(days=days)


def new_reference() -> str:
    """A tracking number a resident can read out on the phone: the date and six random digits."""
    while True:
        reference = timezone.localdate().strftime("%y%m%d") + "".join(secrets.choice(string.digits) for _ in range(6))
        if not Matter.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def _suggestion_fields(content: str) -> dict:
    """The classifier's suggestion for a new matter. A resident's matter is never refused for want of one: when the
    model cannot be read or trained (private storage unwritable, a damaged file) the matter is registered without
    a suggestion, the error is logged, and the month's classification job suggests it later."""
    try:
        return topic_suggest(content).fields()
    except (OSError, ValueError):
        log.exception("Topic suggestion failed; the matter is registered without one")
        return {}


def matter_register(
    *,
    channel: str,
    content: str,
    unit: Unit,
    actor: User | None,
    household: Household | None = None,
    visit: Visit | None = None,
    echo_card=None,
    resident_name: str = "",
    resident_phone: str = "",
    query_password: str = "",
    owner: User | None = None,
    submission_key: uuid.UUID | None = None,
    request=None,
) -> Matter:
    """A matter heard on any channel enters the flow as 汇报 (reported), with the topic the classifier suggests for
    it (in-process and cheap: the 研判 form opens on it)."""
    matter = Matter.objects.create(
        **_suggestion_fields(content),
        reference=new_reference(),
        channel=channel,
        content=content,
        unit=unit,
        household=household,
        visit=visit,
        echo_card=echo_card,
        resident_name=resident_name,
        resident_phone=resident_phone,
        query_password_hash=make_password(query_password) if query_password else "",
        owner=owner,
        submission_key=submission_key,
        reported_by=actor,
    )
    return MATTER_FLOW.begin(matter, actor=actor, note=f"登记({matter.get_channel_display()})", request=request)


@transaction.atomic
def matter_analyse(*, matter: Matter, actor: User, category: str, urgency: str, note: str = "", request=None) -> Matter:
    """研判: category and urgency decided. A topic the legal department has confirmed stands: 研判 cannot change it."""
    _bounded(note, NOTE_MAX_LENGTH, "研判意见")

    def decided(locked: Matter) -> dict:
        if locked.category_confirmed_at and category != locked.category:
            raise MatterError(f"法制部门已确认类别为“{locked.get_category_display()}”,研判不能更改。")
        return {"category": category, "urgency": urgency}

    return MATTER_FLOW.act(matter, "analyse", actor=actor, note=note or "研判", request=request, fields=decided)


@transaction.atomic
def matter_merge(*, matter: Matter, actor: User, into: Matter, request=None) -> Matter:
    """研判 finds a duplicate of an open matter: it is merged into that one and goes no further. Whatever had
    been merged into it follows it, so that closing `into` answers every resident of the group."""
    if into.pk == matter.pk or not into.is_open or into.duplicate_of_id:
        raise MatterError("只能合并到另一件未办结的诉求。")
    merged = MATTER_FLOW.act(
        matter,
        "merge",
        actor=actor,
        note=f"与诉求 {into.reference} 重复,合并办理",
        request=request,
        fields={"duplicate_of": into},
    )
    for earlier in Matter.objects.select_for_update().filter(duplicate_of=matter, state=State.MERGED):
        earlier.duplicate_of = into
        earlier.save(update_fields=["duplicate_of", "updated_at"])
        MATTER_FLOW.record(earlier, actor=actor, note=f"随诉求 {matter.reference} 并入诉求 {into.reference}")
    return merged


@transaction.atomic
def matter_dispatch(
    *, matter: Matter, actor: User, assigned_unit: Unit, assignee: User | None = None, note: str = "", request=None
) -> Matter:
    """分流: to a unit, a department or an officer, with a deadline set by category and urgency."""
    _bounded(note, NOTE_MAX_LENGTH, "分流说明")
    _check_handler(assigned_unit, assignee, actor)
    matter = MATTER_FLOW.act(
        matter,
        "dispatch",
        actor=actor,
        note=note or f"分流至{assigned_unit}",
        request=request,
        fields=lambda locked: {
            "assigned_unit": assigned_unit,
            "assignee": assignee,
            "deadline": deadline_for(category=locked.category, urgency=locked.urgency),
            "escalated_at": None,
        },
    )
    # Feedback calls into the later ledger app: a matter dispatched for handling becomes a ledger item (销号整改制),
    # in this transaction, which then follows the matter (it changes hands, is started, closed, reopened with it).
    # Imported in the functions, not at the top, because ledger builds on feedback; named as the exception in
    # pyproject.toml's import-linter contract.
    from ledger.services import ledger_item_open_for_matter

    ledger_item_open_for_matter(matter=matter, actor=actor, request=request)
    return matter


def _check_handler(assigned_unit: Unit, assignee: User | None, actor: User) -> None:
    """A matter goes to a unit of the dispatcher's own county, and to an officer of that unit if to one."""
    if not county_units(actor).filter(pk=assigned_unit.pk).exists():
        raise MatterError(f"{assigned_unit}不是本县(市、区)的单位,不能交它办理。")
    if assignee is not None and assignee.unit_id != assigned_unit.pk:
        raise MatterError(f"{assignee}不属于{assigned_unit}。")


@transaction.atomic
def matter_reassign(
    *, matter: Matter, actor: User, assigned_unit: Unit, assignee: User | None = None, note: str = "", request=None
) -> Matter:
    """改派: a dispatched or handled matter (督办 among them) given to another unit or officer by its dispatcher,
    its deadline kept; its ledger item follows, as at 分流."""
    _bounded(note, NOTE_MAX_LENGTH, "改派说明")
    _check_handler(assigned_unit, assignee, actor)
    locked = MATTER_FLOW.lock(matter, action="reassign")
    if not dispatches(actor, locked):
        raise MatterError("只有该诉求的研判分流人员可以改派。")
    if locked.state == Matter.State.HANDLING and assignee is None:
        # A unit's officers take a matter by 开始处理, which is behind it: one being handled needs its handler named.
        raise MatterError("正在处理的诉求改派时请指定承办民警。")
    if (locked.assigned_unit_id, locked.assignee_id) == (assigned_unit.pk, assignee.pk if assignee else None):
        raise MatterError("承办单位和民警没有变化,无需改派。")
    before = locked.assignee or locked.assigned_unit
    locked.assigned_unit, locked.assignee = assigned_unit, assignee
    locked.save(update_fields=["assigned_unit", "assignee", "updated_at"])
    now = f"{assigned_unit}" + (f"·{assignee}" if assignee else "")
    MATTER_FLOW.record(locked, actor=actor, note=f"由{before}改派至{now}" + (f":{note}" if note else ""))
    audit_record(
        action=Action.STATE_CHANGED,
        actor=actor,
        request=request,
        target=locked,
        detail={"reassigned_to": now, "from": str(before)},
    )
    _ledger_item_follows(locked, actor, note=f"诉求改派,改由{now}负责")
    return locked


def _ledger_item_follows(matter: Matter, actor: User, *, note: str) -> None:
    # The matter's ledger item changes hands with it (the call into ledger named in pyproject.toml's import-linter
    # contract, as at 分流); its deadline stays.
    from ledger.services import ledger_item_follow_matter

    ledger_item_follow_matter(matter=matter, actor=actor, note=note)


@transaction.atomic
def matter_start(*, matter: Matter, actor: User, note: str = "", request=None) -> Matter:
    """处理: a matter dispatched to a unit with no officer named becomes the one of whoever starts it, and leaves
    the lists of the unit's other officers."""
    claims = matter.assignee_id is None
    started = MATTER_FLOW.act(
        matter,
        "start",
        actor=actor,
        note=note or (f"开始处理,由{actor}承办" if claims else "开始处理"),
        request=request,
        fields=lambda locked: {} if locked.assignee_id else {"assignee": actor},
    )
    if claims:
        _ledger_item_follows(started, actor, note=f"{actor}开始处理,改由其负责")
    from ledger.services import ledger_item_matter_started  # the call into ledger named in pyproject.toml

    ledger_item_matter_started(matter=started, actor=actor)
    return started


@transaction.atomic
def matter_progress(*, matter: Matter, actor: User, note: str) -> MatterEvent:
    """A progress note while handling; the state does not change."""
    _bounded(note, NOTE_MAX_LENGTH, "进展说明")
    return MATTER_FLOW.record(MATTER_FLOW.lock(matter, action="progress"), actor=actor, note=note)


@transaction.atomic
def matter_send_back(*, matter: Matter, actor: User, reason: str, request=None) -> Matter:
    """退单: wrongly routed, back to the dispatcher."""
    _bounded(reason, NOTE_MAX_LENGTH, "退单理由")
    returned = MATTER_FLOW.act(
        matter,
        "send_back",
        actor=actor,
        note=f"退单:{reason}",
        request=request,
        fields={"assigned_unit": None, "assignee": None, "deadline": None, "escalated_at": None},
    )
    from ledger.services import ledger_item_matter_sent_back  # the call into ledger named in pyproject.toml

    ledger_item_matter_sent_back(matter=returned, actor=actor, reason=reason)
    return returned


def reply_method_problem(matter: Matter, reply_method: str) -> str:
    """Why the resident cannot have been told this way: 电话答复 with no number to call (a walk-in who left none,
    of no household or of one without a phone). "" when the method is possible."""
    if reply_method != Matter.ReplyMethod.PHONE or matter.contact_phone:
        return ""
    others = "、".join(label for value, label in Matter.ReplyMethod.choices if value != Matter.ReplyMethod.PHONE)
    why = "群众未留电话,住户也未登记电话" if matter.household_id else "群众未留电话"
    return f"这件诉求没有联系电话({why}),不能电话答复。请选择{others}。"


@transaction.atomic
def matter_close(*, matter: Matter, actor: User, result: str, reply_method: str, request=None) -> Matter:
    """办结: the result, and how the resident was told. The answer is also the answer to every matter merged into
    this one; a walk-in resident, of this matter or a merged one, gets a scheduled callback."""
    if not result.strip():
        raise MatterError("请填写办理结果。")
    _bounded(result, RESULT_MAX_LENGTH, "办理结果")

    def answered(locked: Matter) -> dict:
        # Checked on the locked row, once the move itself is allowed: a matter that cannot be closed says so first.
        problem = reply_method_problem(locked, reply_method)
        if problem:
            raise MatterError(problem)
        return {"result": result, "reply_method": reply_method, "closed_at": timezone.now()}

    matter = MATTER_FLOW.act(
        matter,
        "close",
        actor=actor,
        note=f"办结({Matter.ReplyMethod(reply_method).label})",
        request=request,
        fields=answered,
    )
    from ledger.services import ledger_item_matter_closed  # the call into ledger named in pyproject.toml

    ledger_item_matter_closed(matter=matter, actor=actor)
    due = timezone.localdate() + timedelta(days=settings.TALK_ROOM_CALLBACK_DAYS)
    if matter.channel == Matter.Channel.TALK_ROOM:
        callback_on(matter, due)
    for merged in matter.duplicates.filter(state=State.MERGED):
        MATTER_FLOW.record(
            merged, actor=actor, note=f"随诉求 {matter.reference} 办结答复({matter.get_reply_method_display()})"
        )
        if merged.channel == Matter.Channel.TALK_ROOM:
            callback_on(merged, due)
    return matter


def callback_on(matter: Matter, day: date) -> TalkRoomCallback:
    """The matter's callback, due on `day` or the first day after it on which none was done. One still waiting
    (its answer was reopened before the call was made) is moved to that day: one call asks about the latest
    answer. One already done is a rating kept, never taken up again: a matter reopened and answered again on the
    day it was rated (or closed) would otherwise find it under the once-a-day constraint and write over it."""
    done_days = set(
        matter.callbacks.filter(due_date__gte=day, done_at__isnull=False).values_list("due_date", flat=True)
    )
    while day in done_days:
        day += timedelta(days=1)
    waiting = matter.callbacks.filter(done_at__isnull=True).order_by("due_date").first()
    if waiting is None:
        return TalkRoomCallback.objects.create(matter=matter, due_date=day)
    if waiting.due_date != day:
        waiting.due_date = day
        waiting.save(update_fields=["due_date"])
    return waiting


@transaction.atomic
def matter_reopen(*, matter: Matter, actor: User | None, reason: str, heard: str = "回访", request=None) -> Matter:
    """A callback (or the resident's own rating: `heard`) found the resident not satisfied. A merged matter was
    answered by the one it was merged into: that one is reopened."""
    origin = ""
    if matter.state == State.MERGED:
        origin, matter = f"(合并的诉求 {matter.reference})", matter.duplicate_of
    reopened = MATTER_FLOW.move(
        matter,
        State.HANDLING,
        actor=actor,
        note=f"{heard}不满意{origin},重新办理:{reason}",
        request=request,
        # A new deadline, and the first round's 督办 flag cleared with it: the hourly job flags a matter once,
        # so a kept flag would never bring the reopened matter to the unit head however late it ran again.
        fields=lambda locked: {
            "closed_at": None,
            "deadline": deadline_for(category=locked.category, urgency=locked.urgency),
            "escalated_at": None,
        },
    )
    # After the move: the item is due when the reopened matter now is (its new deadline), not on the first
    # round's day, long past, which would mark it 超期 the moment it is reopened.
    from ledger.services import ledger_item_matter_reopened  # the call into ledger named in pyproject.toml

    ledger_item_matter_reopened(matter=reopened, actor=actor, reason=reason)
    return reopened


@transaction.atomic
def matter_rate_answer(*, matter: Matter, outcome: str, note: str = "", request=None) -> TalkRoomCallback:
    """The resident rates the answer on the status page. It counts as the callback: a scheduled one still open is
    done by it, otherwise one is recorded today; done_by stays empty, for the resident gave it. 不满意 reopens the
    matter that answered, as a callback does."""
    if outcome not in RATINGS:
        raise MatterError("请选择满意、基本满意或不满意。")
    _bounded(note, NOTE_MAX_LENGTH, "您的意见")
    matter = MATTER_FLOW.lock(matter)
    answer = matter.duplicate_of if matter.state == State.MERGED else matter
    if answer.state != State.CLOSED:
        raise MatterError("诉求答复后才能评价。")
    if answer_rating(matter=matter, answer=answer) is not None:
        raise MatterError("您已经评价过这次答复,感谢您的参与。")
    fields = {"outcome": outcome, "note": f"群众在查询页评价。{note}".strip(), "done_by": None}
    callback = matter.callbacks.filter(done_at__isnull=True).order_by("due_date").first()
    if callback is None:
        callback = callback_on(matter, timezone.localdate())
    for name, value in fields.items():
        setattr(callback, name, value)
    callback.done_at = timezone.now()
    callback.save(update_fields=[*fields, "done_at"])
    label = TalkRoomCallback.Outcome(outcome).label
    MATTER_FLOW.record(matter, actor=None, note=f"群众评价答复:{label}")
    if outcome == TalkRoomCallback.Outcome.NOT_SATISFIED:
        reason = note or "未留意见"
        matter_reopen(matter=matter, actor=None, reason=reason, heard="群众在查询页评价", request=request)
    return callback


@transaction.atomic
def matter_hand_over(*, matter: Matter, actor: User, to_user: User, note: str, request=None) -> Matter:
    """首问责任制: the owner hands the matter on; the receiver owns it from then on."""
    _bounded(note, NOTE_MAX_LENGTH, "交接说明")
    matter = MATTER_FLOW.lock(matter, action="hand_over")
    if matter.owner_id != actor.pk:
        raise MatterError("只有首问责任人可以移交这件诉求。")
    if to_user.pk == actor.pk or not to_user.is_active:
        raise MatterError("请选择另一位在岗民警接收。")
    MatterHandover.objects.create(matter=matter, from_user=actor, to_user=to_user, note=note)
    matter.owner = to_user
    matter.save(update_fields=["owner", "updated_at"])
    MATTER_FLOW.record(matter, actor=actor, note=f"移交给{to_user}:{note}")
    audit_record(action=Action.STATE_CHANGED, actor=actor, request=request, target=matter, detail={"owner": to_user.pk})
    return matter


def matter_phone_reveal(*, matter: Matter, actor: User, request=None) -> str:
    """The phone the resident left on the matter, in full for one response so that whoever acts on it can call
    them back; the audit log says who saw it for which matter. The rule of who may is a household phone's
    (`may_reveal`), with the matter's own people in place of the household's scope."""
    require(actor, can.may_reveal, "phone", error=MatterError, message="您的角色无权查看完整号码。", jobs=False)
    if not may_contact_resident(actor, matter):
        raise MatterError("只有研判分流、承办这件诉求的人和首问责任人可以查看群众的电话。")
    if not matter.resident_phone:
        raise MatterError("群众没有留下电话。")
    audit_record(action=Action.REVEAL_PHONE, actor=actor, request=request, target=matter)
    return matter.resident_phone


def escalate_overdue_matters(*, actor: User, now=None) -> int:
    """督办: flag open matters past their deadline for the unit head. Each is flagged by a compare-and-set, so a
    second run for the same moment changes nothing. A job's work: `actor` is the system actor."""
    if not is_system_actor(actor):
        raise MatterError("督办由系统按时自动执行。")
    now = now or timezone.now()
    listed = Matter.objects.filter(overdue(now), escalated_at__isnull=True).values_list("pk", flat=True)
    return sum(matter_escalate(pk=pk, now=now, actor=actor) for pk in listed.iterator())


@transaction.atomic
def matter_escalate(*, pk: int, now, actor: User) -> bool:
    """Flag one matter, if it still is overdue and not yet flagged. The UPDATE itself tests all of it again: a
    matter closed, sent back or given a new deadline since it was listed is left alone."""
    if not Matter.objects.filter(overdue(now), pk=pk, escalated_at__isnull=True).update(escalated_at=now):
        return False
    MATTER_FLOW.record(Matter.objects.get(pk=pk), actor=actor, note="超期,督办至单位负责人")
    return True
