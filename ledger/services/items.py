"""What each step of a ledger item means. Every move goes through LEDGER_FLOW (ledger/workflows.py), which locks
the row, checks the move, saves with update_fields and writes the history row and the audit entry in the same
transaction; the rules that need the locked row (four eyes) are checked on it, inside that transaction."""

from collections.abc import Iterable
from datetime import date, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from feedback.models import Matter, TopicVisitMatter
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.errors import bounded_text
from jingshi_jiafang.core.models import Household, HouseholdLink, PairingLink, Unit, User
from jingshi_jiafang.core.uploads import validate_upload
from ledger.errors import LedgerError
from ledger.models import Ledger, LedgerEvidence, LedgerItem, LedgerItemEvent
from ledger.models.items import DEFAULT_DEADLINE_DAYS, FOR_WHOM_MAX_LENGTH, NOTE_MAX_LENGTH, WHAT_MAX_LENGTH
from ledger.workflows import LEDGER_FLOW
from visits.models import Visit

State = LedgerItem.State
Source = LedgerItem.Source

# How many files one step may carry.
MAX_FILES_PER_STEP = 5
# The notes of 登记 and 销号 when the person writes none.
REGISTERED_NOTE = "登记入账"
CLOSED_NOTE = "核实已兑现,销号"
# The steps an item of a matter takes with it (the demo's history writes the same).
STARTED_NOTE = f"{REGISTERED_NOTE}(诉求开始处理)"
# An item back at 登记 forgets the delivery and the closing it had (its history keeps them), to have them anew.
NOT_YET_KEPT = {"delivered_by": None, "delivered_at": None, "closed_by": None, "closed_at": None}


def delivered_note(matter: Matter) -> str:
    return f"诉求办结:{matter.result}"


_bounded = partial(bounded_text, error=LedgerError)


def _ledger_for(*, household: Household | None, matter: Matter | None) -> Ledger:
    """一户一台账 for a household; 一事一台账 for a matter with no household. The unique constraints make two
    people opening the first item of one household at once share one ledger (get_or_create retries on them)."""
    if household is not None:
        ledger, _ = Ledger.objects.get_or_create(kind=Ledger.Kind.HOUSEHOLD, household=household)
    elif matter is not None:
        ledger, _ = Ledger.objects.get_or_create(kind=Ledger.Kind.MATTER, matter=matter)
    else:
        raise LedgerError("台账事项须属于一户或一件诉求。")
    return ledger


def _pairing_of(actor: User | None, household: Household | None) -> PairingLink | None:
    """The actor's pair with this household, if they are paired with it: what they open there is a deed of it."""
    if actor is None or household is None:
        return None
    return PairingLink.objects.active().filter(user=actor, household=household).first()


def ledger_item_open(
    *,
    actor: User | None,
    what: str,
    deadline: date,
    unit: Unit,
    source: str,
    for_whom: str = "",
    responsible: User | None = None,
    household: Household | None = None,
    matter: Matter | None = None,
    visit: Visit | None = None,
    topic_item: TopicVisitMatter | None = None,
    request=None,
) -> LedgerItem:
    """掌握: a promise or a problem enters the ledger of its household (or of its matter)."""
    household = household or (visit.household if visit else None) or (matter.household if matter else None)
    item = new_item(
        actor=actor,
        what=what,
        deadline=deadline,
        unit=unit,
        source=source,
        for_whom=for_whom,
        responsible=responsible,
        household=household,
        matter=matter,
        visit=visit,
        topic_item=topic_item,
        pairing=_pairing_of(actor, household),
    )
    item.ledger = _ledger_for(household=household, matter=matter)
    item.save(force_insert=True)
    return LEDGER_FLOW.begin(item, actor=actor, note=opened_note(item), request=request)


@transaction.atomic
def ledger_item_open_once(
    *, actor: User, household: Household, what: str, source: str, visit: Visit | None = None, **fields
) -> tuple[LedgerItem, bool]:
    """掌握 from a person's form (a household's or a visit's page). Returns (item, opened): the same form sent
    again (a double tap, 后退 and 记入 again) finds the item it opened, still at 掌握 with the same words, instead
    of a second promise to register, keep and close (for a paired household, a second 实事 for one deed)."""
    # The form carries no submission key (the item has no field for one). The household's row lock makes two
    # sends at the same moment wait for each other.
    Household.objects.select_for_update().get(pk=household.pk)
    # Not by source: a paired person's item is a 结对实事 whatever the form's source.
    same = LedgerItem.objects.filter(
        household=household, visit=visit, matter=None, what=what.strip(), created_by=actor, state=State.KNOWN
    ).first()
    if same is not None:
        return same, False
    return ledger_item_open(actor=actor, household=household, visit=visit, source=source, what=what, **fields), True


def new_item(
    *,
    actor: User | None,
    what: str,
    deadline: date,
    unit: Unit,
    source: str,
    for_whom: str = "",
    responsible: User | None = None,
    household: Household | None = None,
    matter: Matter | None = None,
    visit: Visit | None = None,
    topic_item: TopicVisitMatter | None = None,
    pairing: PairingLink | None = None,
) -> LedgerItem:
    """The item 掌握 opens, its texts checked, unsaved and not yet in its ledger: `ledger_item_open` saves it, and
    the demo's history builds its matters' items with it to write them in bulk (ledger/demo_matters.py)."""
    what = what.strip()
    if not what:
        raise LedgerError("请填写事项内容。")
    _bounded(what, WHAT_MAX_LENGTH, "事项内容")
    _bounded(for_whom, FOR_WHOM_MAX_LENGTH, "服务对象")
    if source not in Source.values:
        raise LedgerError("未知的事项来源。")
    return LedgerItem(
        household=household,
        what=what,
        for_whom=for_whom or (f"{household.head_name}户" if household else ""),
        unit=unit,
        responsible=responsible,
        deadline=deadline,
        source=Source.PAIRING_DEED if pairing is not None else source,
        visit=visit,
        matter=matter,
        topic_item=topic_item,
        pairing=pairing,
        created_by=actor,
    )


def opened_note(item: LedgerItem) -> str:
    """The first line of an item's history."""
    return f"掌握({item.get_source_display()})"


def _matter_source(matter: Matter) -> str:
    if matter.echo_card_id:
        return Source.ECHO_CARD
    if matter.channel == Matter.Channel.TALK_ROOM:
        return Source.TALK_ROOM
    if matter.channel == Matter.Channel.VISIT:
        return Source.VISIT
    return Source.MATTER


def matter_item_fields(matter: Matter, *, topic_item: TopicVisitMatter | None = None) -> dict:
    """What the item of a dispatched matter says, as the matter stands (`ledger_item_open`'s arguments): its
    content, for whom when it has no household, the handler it was dispatched to and its deadline's day, and where
    it came from."""
    return {
        "what": matter.content[:WHAT_MAX_LENGTH],
        "deadline": timezone.localdate(matter.deadline),
        "unit": matter.assigned_unit,
        "source": Source.TOPIC_VISIT if topic_item else _matter_source(matter),
        "for_whom": matter.resident_name[:FOR_WHOM_MAX_LENGTH] if not matter.household_id else "",
        "responsible": matter.assignee,
        "household": matter.household,
        "matter": matter,
        "visit": matter.visit,
        "topic_item": topic_item,
    }


def follow_dispatch(item: LedgerItem, matter: Matter) -> str:
    """A matter dispatched again (after 退单) hands its open item to the new handler, due when the matter now is.
    Changes the item in memory and returns the note for its history; "" when it stays as it is (the same handler,
    or the item closed)."""
    if not item.is_open or (item.unit_id, item.responsible_id) == (matter.assigned_unit_id, matter.assignee_id):
        return ""
    item.unit_id, item.responsible_id = matter.assigned_unit_id, matter.assignee_id
    item.deadline = timezone.localdate(matter.deadline)
    who = f"{matter.assigned_unit}" + (f"·{matter.assignee}" if matter.assignee_id else "")
    return f"诉求重新分流,改由{who}负责"


@transaction.atomic
def ledger_item_open_for_matter(*, matter: Matter, actor: User | None, request=None) -> LedgerItem:
    """A dispatched matter becomes a ledger item, once: dispatching it again (after 退单) finds the same item and
    hands it to the new handler, with a history row, unless it is already closed."""
    if matter.assigned_unit_id is None or matter.deadline is None:
        raise LedgerError("诉求分流后才能记入台账。")
    existing = LedgerItem.objects.select_for_update().filter(matter=matter).first()
    if existing is not None:
        note = follow_dispatch(existing, matter)
        if note:
            existing.save(update_fields=["unit", "responsible", "deadline", "updated_at"])
            LEDGER_FLOW.record(existing, actor=actor, note=note)
        return existing
    topic_item = matter.topic_items.order_by("pk").first()
    return ledger_item_open(actor=actor, request=request, **matter_item_fields(matter, topic_item=topic_item))


@transaction.atomic
def ledger_item_follow_matter(*, matter: Matter, actor: User, note: str) -> LedgerItem | None:
    """The matter's open item passes to whoever handles the matter now (改派, or an officer taking a unit's matter by
    开始处理), with `note` in its history; its deadline stays. None when the matter has no item."""
    return _hand_matter_item_over(
        matter, unit_id=matter.assigned_unit_id, responsible_id=matter.assignee_id, actor=actor, note=note
    )


def _matter_item(matter: Matter) -> LedgerItem | None:
    return LedgerItem.objects.select_for_update().filter(matter=matter).first()


def _hand_matter_item_over(matter: Matter, *, unit_id, responsible_id, actor: User, note: str) -> LedgerItem | None:
    """The matter's open item passes to `unit_id`/`responsible_id`, with `note` in its history; its state and
    deadline stay. Nothing is written when it is already theirs or no longer open."""
    item = _matter_item(matter)
    if item is None or not item.is_open or (item.unit_id, item.responsible_id) == (unit_id, responsible_id):
        return item
    item.unit_id, item.responsible_id = unit_id, responsible_id
    item.save(update_fields=["unit", "responsible", "updated_at"])
    LEDGER_FLOW.record(item, actor=actor, note=note[:NOTE_MAX_LENGTH])
    return item


@transaction.atomic
def ledger_item_matter_started(*, matter: Matter, actor: User) -> LedgerItem | None:
    """登记 as its handler starts on the matter: the item is entered in the ledger by whoever now answers for it.
    None when the matter has no item; an item past 掌握 stays as it is."""
    item = _matter_item(matter)
    if item is None or item.state != State.KNOWN:
        return item
    return LEDGER_FLOW.move(item, State.REGISTERED, actor=actor, note=STARTED_NOTE)


@transaction.atomic
def ledger_item_matter_closed(*, matter: Matter, actor: User) -> LedgerItem | None:
    """兑现 as the matter is closed (办结), its result what was done, by its handler. 销号 stays the unit head's (or
    a callback's), never the deliverer's: four eyes."""
    item = _matter_item(matter)
    if item is None or item.state not in (State.KNOWN, State.REGISTERED):
        return item
    if item.state == State.KNOWN:
        item = LEDGER_FLOW.move(item, State.REGISTERED, actor=actor, note=f"{REGISTERED_NOTE}(诉求办结)")
    fields = {"delivered_by": actor, "delivered_at": timezone.now()}
    return LEDGER_FLOW.move(item, State.DELIVERED, actor=actor, note=delivered_note(matter), fields=fields)


@transaction.atomic
def ledger_item_matter_reopened(*, matter: Matter, actor: User | None, reason: str) -> LedgerItem | None:
    """The resident was not satisfied and the matter is handled again: its item, delivered or closed on the first
    answer, goes back to 登记 to be delivered (and closed) anew, due when the reopened matter is (`matter` as
    reopened, with its new deadline); a closed one counts as reopened, as a callback's 重新整改 does. The history
    keeps the first delivery."""
    item = _matter_item(matter)
    if item is None or item.state not in (State.DELIVERED, State.CLOSED):
        return item
    note = f"诉求重新办理,台账重新整改:{reason}"
    fields = {**NOT_YET_KEPT, "deadline": timezone.localdate(matter.deadline)}
    if item.state == State.CLOSED:
        fields["reopened_count"] = item.reopened_count + 1
    return LEDGER_FLOW.move(item, State.REGISTERED, actor=actor, note=note, fields=fields)


@transaction.atomic
def ledger_item_matter_sent_back(*, matter: Matter, actor: User, reason: str) -> LedgerItem | None:
    """退单: the matter goes back to its unit to be dispatched again, and its open item with it, answered for by
    the unit until then (no longer in the list of the officer who returned it, whose page could no longer open
    the matter); its state and deadline stay, and the next dispatch hands it on (`follow_dispatch`)."""
    note = f"诉求退单,待重新分流:{reason}"
    return _hand_matter_item_over(matter, unit_id=matter.unit_id, responsible_id=None, actor=actor, note=note)


@transaction.atomic
def ledger_item_for_topic_solution(*, item: TopicVisitMatter, actor: User, request=None) -> LedgerItem:
    """专题家访: the solution a leader agreed at the resident's home enters the ledger (掌握), to be registered,
    kept and closed as any promise is. The matter's own item when it has one (it was dispatched): the agreement
    goes into its history, the item names the topic visit, and one already kept takes the new promise up anew.
    Otherwise a new item of the matter's unit (its handler's, once dispatched: `ledger_item_open_for_matter` then
    finds it), due in DEFAULT_DEADLINE_DAYS."""
    matter = item.matter
    existing = LedgerItem.objects.select_for_update().filter(matter=matter).first()
    if existing is None:
        return ledger_item_open(
            actor=actor,
            what=item.agreed_solution[:WHAT_MAX_LENGTH],
            deadline=timezone.localdate() + timedelta(days=DEFAULT_DEADLINE_DAYS),
            unit=matter.assigned_unit or matter.unit,
            source=Source.TOPIC_VISIT,
            responsible=matter.assignee,
            household=matter.household,
            matter=matter,
            visit=item.visit,
            topic_item=item,
            request=request,
        )
    if existing.topic_item_id is None:
        existing.topic_item = item
        existing.save(update_fields=["topic_item", "updated_at"])
    note = f"专题家访“{item.topic_visit.title}”入户商定:{item.agreed_solution}"[:NOTE_MAX_LENGTH]
    if existing.state in (State.DELIVERED, State.CLOSED):
        return _take_up_anew(existing, actor=actor, note=note, request=request)
    LEDGER_FLOW.record(existing, actor=actor, note=note)
    return existing


def _take_up_anew(item: LedgerItem, *, actor: User, note: str, request) -> LedgerItem:
    """A topic visit's promise for a matter whose item was already kept (兑现 or 销号, as most of a closed month's
    are): the item goes back to 登记 to keep the new one, due anew. Not a broken promise: its reopened count stays."""
    return LEDGER_FLOW.move(
        item,
        State.REGISTERED,
        actor=actor,
        note=note,
        request=request,
        fields={**NOT_YET_KEPT, "deadline": timezone.localdate() + timedelta(days=DEFAULT_DEADLINE_DAYS)},
    )


def _check_files(files: Iterable) -> list:
    files = list(files or ())
    if len(files) > MAX_FILES_PER_STEP:
        raise LedgerError(f"每一步最多上传 {MAX_FILES_PER_STEP} 个文件。")
    checked = []
    for upload in files:
        try:
            checked.append((upload, validate_upload(upload)))
        except ValidationError as error:
            raise LedgerError(f"{upload.name}:{error.messages[0]}") from None
    return checked


def _attach(item: LedgerItem, event: LedgerItemEvent, files: list, actor: User, request) -> None:
    for upload, content_type in files:
        evidence = LedgerEvidence(
            item=item,
            event=event,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        evidence.file.save(upload.name, upload, save=False)
        evidence.save()
        audit_record(
            action=Action.UPLOAD,
            actor=actor,
            request=request,
            target=evidence,
            detail={"ledger_item": item.pk, "name": evidence.original_name, "size": evidence.size},
        )


def _step(item, name: str, *, actor: User, note: str, files, request, fields=None) -> LedgerItem:
    """One registered action that moves the item, with its note and its files on the history row it writes."""
    _bounded(note, NOTE_MAX_LENGTH, "说明")
    checked = _check_files(files)
    item = LEDGER_FLOW.act(item, name, actor=actor, note=note, request=request, fields=fields)
    if checked:
        _attach(item, item.events.order_by("-pk").first(), checked, actor, request)
    return item


@transaction.atomic
def ledger_item_register(*, item: LedgerItem, actor: User, note: str = "", files=(), request=None) -> LedgerItem:
    """登记: the item is entered in the ledger the bureau keeps, with what will be done."""
    return _step(item, "register", actor=actor, note=note or REGISTERED_NOTE, files=files, request=request)


@transaction.atomic
def ledger_item_deliver(*, item: LedgerItem, actor: User, note: str, files=(), request=None) -> LedgerItem:
    """兑现: what was done, and by whom, with photos or documents if any."""
    if not note.strip():
        raise LedgerError("请写明兑现情况。")
    fields = {"delivered_by": actor, "delivered_at": timezone.now()}
    return _step(item, "deliver", actor=actor, note=note, files=files, request=request, fields=fields)


def _close_fields(actor: User):
    def fields(locked: LedgerItem) -> dict:
        # Read on the locked row: a deliver pressed at the same moment has either committed or waits.
        if locked.delivered_by_id == actor.pk:
            raise LedgerError("兑现人不能为自己兑现的事项销号,请由本单位或上级单位的另一位负责人销号。")
        return {"closed_by": actor, "closed_at": timezone.now()}

    return fields


@transaction.atomic
def ledger_item_close(*, item: LedgerItem, actor: User, note: str = "", files=(), request=None) -> LedgerItem:
    """销号 by the unit head: only a delivered item, and never by the one who delivered it."""
    return _step(
        item,
        "close",
        actor=actor,
        note=note or CLOSED_NOTE,
        files=files,
        request=request,
        fields=_close_fields(actor),
    )


@transaction.atomic
def ledger_item_reopen(*, item: LedgerItem, actor: User | None, reason: str, request=None) -> LedgerItem:
    """A closed item that a callback finds not delivered goes back to 登记. The history keeps the delivery and the
    closing it had; the item forgets them, to be delivered and closed anew."""
    reason = reason.strip()
    if not reason:
        raise LedgerError("请写明重新整改的原因。")
    _bounded(reason, NOTE_MAX_LENGTH, "原因")
    # By its action, not by the map alone: the map lets 掌握 reach 登记 too, and only a closed item is reopened.
    return LEDGER_FLOW.act(
        item,
        "reopen",
        actor=actor,
        note=f"回访发现未兑现,重新整改:{reason}",
        request=request,
        fields=lambda locked: {**NOT_YET_KEPT, "reopened_count": locked.reopened_count + 1},
    )


@transaction.atomic
def ledger_item_send_back(*, item: LedgerItem, actor: User, reason: str, request=None) -> LedgerItem:
    """退回整改: a delivered item the head finds not really done goes back to 登记, to be delivered again. The
    history keeps the delivery; the item forgets it."""
    reason = reason.strip()
    if not reason:
        raise LedgerError("请写明退回整改的原因。")
    _bounded(reason, NOTE_MAX_LENGTH, "原因")
    return LEDGER_FLOW.act(
        item,
        "send_back",
        actor=actor,
        note=f"退回整改:{reason}",
        request=request,
        fields={"delivered_by": None, "delivered_at": None},
    )


@transaction.atomic
def ledger_items_hand_over(*, household: Household, old: User, new: User, actor: User) -> int:
    """When a household gets a new officer, its open items the old officer answered for pass to the new one, each
    with a history row saying so. Returns how many were handed over."""
    items = LedgerItem.objects.select_for_update().filter(
        household=household, responsible=old, state__in=list(LEDGER_FLOW.open_states)
    )
    handed = 0
    for item in items:
        item.responsible = new
        item.save(update_fields=["responsible", "updated_at"])
        LEDGER_FLOW.record(item, actor=actor, note=f"该户责任民警调整,责任人由{old}改为{new}")
        handed += 1
    return handed


# A morning the job did not run (a worker down) is caught up by the next: hand-overs that began this many days back
# are looked at again, and items already passed on are not touched twice.
HAND_OVER_CATCH_UP_DAYS = 7


def ledger_items_follow_hand_overs(*, day: date, actor: User) -> int:
    """A hand-over planned ahead takes effect on its first day, and so do its items: the open ones the old officer
    answered for pass to the new one then, not when it was planned (before it, he cannot open the household).
    Looks at the hand-overs that began in the week up to `day`; run twice, the second run hands nothing. A job's
    work (`actor` is the system actor). Returns how many items were handed over."""
    previous = HouseholdLink.objects.filter(household=OuterRef("household"), end_date=OuterRef("start_date"))
    started = (
        HouseholdLink.objects.filter(start_date__range=(day - timedelta(days=HAND_OVER_CATCH_UP_DAYS), day))
        .annotate(previous_officer=Subquery(previous.exclude(officer=OuterRef("officer")).values("officer")[:1]))
        .exclude(previous_officer=None)
        .select_related("household", "officer")
        .order_by("start_date", "pk")
    )
    links = list(started)
    officers = User.objects.in_bulk({link.previous_officer for link in links})
    return sum(
        ledger_items_hand_over(
            household=link.household, old=officers[link.previous_officer], new=link.officer, actor=actor
        )
        for link in links
    )


@transaction.atomic
def ledger_item_evidence_add(
    *, item: LedgerItem, actor: User, note: str = "", files=(), request=None
) -> LedgerItemEvent:
    """补充材料: a note, and photos or documents, without a change of state."""
    _bounded(note, NOTE_MAX_LENGTH, "说明")
    checked = _check_files(files)
    if not checked and not note.strip():
        raise LedgerError("请填写说明或选择要上传的文件。")
    locked = LEDGER_FLOW.lock(item, action="evidence")
    event = LEDGER_FLOW.record(locked, actor=actor, note=note or "补充材料")
    _attach(locked, event, checked, actor, request)
    return event
