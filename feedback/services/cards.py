"""Echo cards: issued in batches with numbers that are unique, without gaps and never reused; handed to a
household on a visit; echoed back by the resident; or voided with a reason."""

import dataclasses
import hmac
import re
import secrets
import unicodedata
import uuid
from enum import StrEnum

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from feedback.errors import CardError, CardUsedUp
from feedback.models import CardBatch, CardSequence, EchoCard, Matter
from feedback.selectors import card_units_of
from feedback.workflows import CARD_FLOW, MATTER_FLOW
from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.capabilities import may_manage_cards_of
from jingshi_jiafang.core.models import Household, Unit, User
from jingshi_jiafang.core.once import create_once
from jingshi_jiafang.core.privacy import mask_phone
from visits.models import Visit

from .intake import matter_register_once, query_password_for_echo

CardState = EchoCard.State
MAX_BATCH = 1000
# No 0/O or 1/I/L: the resident copies the code from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def card_number(unit: Unit, year: int, sequence: int) -> str:
    root = unit
    while root.parent_id is not None:
        root = root.parent
    prefix = root.code if root.pk == unit.pk else f"{root.code}-{unit.code}"
    return f"{prefix}-{year}-{sequence:06d}"


# What a resident types between the parts of a number: spaces, or a phone keyboard's other dashes.
_NUMBER_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")
_NUMBER_SEQUENCE = re.compile(r"(?P<head>.+-\d{4})-(?P<sequence>\d{1,6})")


def copied_number(number: str) -> str:
    """A card's number as a resident copies it from paper into the number it is: any case, full-width letters or
    digits, spaces or another dash between the parts, the sequence without its leading zeros
    ("sy sc1 2026 23" is SY-SC1-2026-000023)."""
    text = _NUMBER_SEPARATORS.sub("-", unicodedata.normalize("NFKC", number).upper()).strip("-")
    matched = _NUMBER_SEQUENCE.fullmatch(text)
    return f"{matched['head']}-{int(matched['sequence']):06d}" if matched else text


def locked_card(number: str) -> EchoCard | None:
    """The card of a number as a resident copies or reads it out (`copied_number`), locked for the
    transaction: one card answers one matter, whichever way it is answered (online, at the talk room)."""
    cards = EchoCard.objects.select_for_update(of=("self",)).select_related("household", "unit")
    return cards.filter(number=copied_number(number)).first()


def _verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@transaction.atomic
def card_batch_issue(
    *, unit: Unit, count: int, actor: User, year: int | None = None, submission_key: uuid.UUID | None = None
) -> CardBatch:
    """Numbers come from the unit's yearly counter, locked for the transaction: two batches issued at the same
    moment get consecutive ranges, never the same numbers and never a gap. With a `submission_key` taken already
    the insert fails (unique) and the whole issue rolls back, the counter with it: see card_batch_issue_once."""
    require(
        actor,
        may_manage_cards_of,
        unit,
        error=CardError,
        message=f"只有{unit}及其上级单位的负责人和值班民警可以制卡。",
        jobs=False,
    )
    if not 1 <= count <= MAX_BATCH:
        raise CardError(f"每批制卡 1 至 {MAX_BATCH} 张。")
    year = year or timezone.localdate().year
    CardSequence.objects.bulk_create([CardSequence(unit=unit, year=year)], ignore_conflicts=True)
    counter = CardSequence.objects.select_for_update().get(unit=unit, year=year)
    first = counter.next_value
    counter.next_value = first + count
    counter.save(update_fields=["next_value"])
    batch = CardBatch.objects.create(
        unit=unit, year=year, first_sequence=first, count=count, issued_by=actor, submission_key=submission_key
    )
    EchoCard.objects.bulk_create(
        EchoCard(
            batch=batch,
            unit=unit,
            year=year,
            sequence=sequence,
            number=card_number(unit, year, sequence),
            verification_code=_verification_code(),
        )
        for sequence in range(first, first + count)
    )
    return batch


def card_batch_issue_once(*, submission_key: uuid.UUID, unit: Unit, count: int, actor: User) -> tuple[CardBatch, bool]:
    """Issue the batch of the issue form sent with `submission_key`. Returns (batch, created): the same form sent
    again (a double tap, a resend on a slow connection), even at the same moment, returns the first batch and
    issues no card."""
    batch, created = create_once(
        lambda: card_batch_issue(unit=unit, count=count, actor=actor, submission_key=submission_key),
        lambda: CardBatch.objects.filter(submission_key=submission_key).first(),
    )
    if batch.issued_by_id != actor.pk:
        raise CardError("这张表单已经提交过,请刷新页面后重新填写。")
    return batch, created


def _find_card(number: str, actor: User) -> EchoCard:
    """A full number, or only the sequence number printed at its end (leading zeros optional): an officer at a
    farmhouse door types "123", not "SY-CD-XC-2026-000123"."""
    text = number.strip().upper()
    if not text.isdigit():
        card = EchoCard.objects.filter(number=text).select_related("household").first()
        if card is None:
            raise CardError(f"没有卡号为 {number.strip()} 的回音卡。")
        return card
    candidates = EchoCard.objects.filter(unit__in=card_units_of(actor), sequence=int(text)).select_related("household")
    in_stock = [card for card in candidates if card.state == CardState.IN_STOCK]
    if len(in_stock) == 1:
        return in_stock[0]
    if len(in_stock) > 1:
        raise CardError(f"本单位有多张序号为 {int(text)} 的库存卡,请从库存列表中选择,或输入完整卡号。")
    card = candidates.order_by("-year").first()
    if card is None:
        raise CardError(f"本单位没有序号为 {int(text)} 的回音卡。")
    return card


def _not_available(card: EchoCard) -> str:
    """Why a card cannot be handed out, said as what happened to it."""
    if card.state == CardState.VOIDED:
        return f"回音卡 {card.number} 已作废({card.void_reason}),不能发放。"
    handed = f"{timezone.localtime(card.handed_out_at):%Y-%m-%d}" if card.handed_out_at else ""
    message = f"这张卡({card.number})已于 {handed} 发放给{card.household}"
    if card.state == CardState.ECHOED:
        return message + ",群众已经用它回音,不能再次发放。"
    return message + ",不用再登记。请换一张库存卡。"


@transaction.atomic
def card_hand_out(*, number: str, household: Household, actor: User, visit: Visit | None = None) -> EchoCard:
    card = _find_card(number, actor)
    if card.unit_id not in card_units_of(actor):
        raise CardError(f"回音卡 {card.number} 不是本单位的卡。")
    if card.state not in CARD_FLOW.action("hand_out").sources:
        raise CardError(_not_available(card))
    return CARD_FLOW.act(
        card,
        "hand_out",
        actor=actor,
        note=f"发放给{household}",
        fields={"household": household, "visit": visit, "handed_out_at": timezone.now()},
    )


def card_batch_sheet(*, batch: CardBatch, actor: User, request=None) -> QuerySet[EchoCard]:
    """The cards of a batch for the printed sheet. The sheet carries every card's verification code, so printing
    it is an export: only the desk of the batch's unit prints it, and the print is audited."""
    require(
        actor,
        may_manage_cards_of,
        batch.unit_id,
        error=CardError,
        message="只有该批次所属单位及其上级单位的负责人和值班民警可以打印卡片。",
        jobs=False,
    )
    audit_record(action=Action.EXPORT, actor=actor, request=request, target=batch, detail={"what": "echo_card_sheet"})
    return batch.cards.order_by("sequence")


@transaction.atomic
def card_void(*, card: EchoCard, actor: User, reason: str) -> EchoCard:
    require(
        actor,
        may_manage_cards_of,
        card.unit_id,
        error=CardError,
        message=f"回音卡 {card.number} 不是本单位的卡。",
        jobs=False,
    )
    if not reason.strip():
        raise CardError("请填写作废原因(如遗失、损坏)。")
    return CARD_FLOW.act(card, "void", actor=actor, note=reason, fields={"void_reason": reason})


class EchoOutcome(StrEnum):
    NEW = "new"
    # The card was echoed before and that matter is still open: the message is added to it.
    FOLLOW_UP = "follow_up"
    # The same form (or the same message) sent again: no new text is recorded.
    REPEAT = "repeat"


@dataclasses.dataclass(frozen=True)
class EchoResult:
    """What a resident's echo came to. `matter` is the resident's own (a merged one keeps its reference and
    passwords) and `answer` the one that answers it (the one it was merged into, or itself); `password` is the
    query password of this echo, "" when the matter has all it may have or the echo came in at the talk room
    (`card_follow_up`: no code is checked there, so no password is given); `replaced_password` says the same form
    was sent before and the password it got then no longer works; `added` names the contact details this echo
    gave a matter that lacked them."""

    matter: Matter
    password: str
    outcome: EchoOutcome
    answer: Matter
    replaced_password: bool = False
    added: tuple[str, ...] = ()

    @property
    def taken_on_by(self) -> str:
        """Who takes up what this echo added, as the resident is told: the officer handling the matter
        ("officer"), the unit it went to ("unit"), or "" while it still waits to be handed to one."""
        if self.answer.state not in (Matter.State.DISPATCHED, Matter.State.HANDLING):
            return ""
        return "officer" if self.answer.assignee_id else "unit"


@transaction.atomic
def card_echo(
    *,
    number: str,
    code: str,
    content: str,
    submission_key: uuid.UUID,
    resident_name: str = "",
    resident_phone: str = "",
    request=None,
) -> EchoResult | None:
    """A resident echoes back online with the card's number and code. Returns what happened, with the query
    password (shown once); or None for any wrong number, code or card state, without saying which.

    A card stands for one matter: a second message on it is a follow-up (`card_follow_up`, as at the talk room).
    A later echo gets a query password of its own for the resident's own matter, since whoever echoes again (a
    family member, a resident who lost theirs) must be able to follow it too; the earlier passwords keep working,
    so holding the card is not enough to lock anyone out. Only the holder of the card and its code gets one."""
    card = locked_card(number)
    expected = card.verification_code if card else _verification_code()
    code_ok = hmac.compare_digest(expected.encode(), code.strip().upper().encode())
    if card is None or not code_ok or card.state not in (CardState.HANDED_OUT, CardState.ECHOED):
        return None
    first = card_matter(card)
    if first is None:
        matter, password, _ = matter_register_once(
            submission_key=submission_key,
            channel=Matter.Channel.ONLINE,
            content=content,
            unit=card.unit,
            actor=None,
            household=card.household,
            echo_card=card,
            resident_name=resident_name,
            resident_phone=resident_phone,
            request=request,
        )
        CARD_FLOW.move(card, CardState.ECHOED, actor=None, note=f"网上回音,诉求 {matter.reference}")
        return EchoResult(matter, password, EchoOutcome.NEW, answer=matter)
    result = card_follow_up(
        card=card,
        content=content,
        submission_key=submission_key,
        actor=None,
        resident_name=resident_name,
        resident_phone=resident_phone,
        when_closed="可凭查询密码查看答复。有新的事情,请到群众说事厅、"
        f"打电话给警务室{f'({card.unit.phone})' if card.unit.phone else ''},或向民警要一张新的回音卡。",
    )
    password, replaced = query_password_for_echo(matter=first, submission_key=submission_key, request=request)
    return dataclasses.replace(result, password=password, replaced_password=replaced)


def card_matter(card: EchoCard) -> Matter | None:
    """The matter a card stands for: the first one registered on it; None while it is unanswered."""
    return card.matters.order_by("created_at", "pk").first()


def card_follow_up(
    *,
    card: EchoCard,
    content: str,
    submission_key: uuid.UUID,
    actor: User | None,
    resident_name: str,
    resident_phone: str,
    when_closed: str,
) -> EchoResult:
    """A message on a card whose matter exists, online or at the talk room: one rule and one history row for
    both. The caller holds the card's lock and has checked who may. The message joins the matter that answers the
    card (the first, or the one it was merged into) as a follow-up while that is open; the same form or the same
    message again records nothing; once that matter is closed the card is used up (CardUsedUp, `when_closed` saying
    where to go instead). A name or phone given is kept on the resident's own matter when it had none. No query
    password here: only the online echo, which checks the card's code, gives one."""
    first = card_matter(card)
    answer = first
    while answer.state == Matter.State.MERGED and answer.duplicate_of_id:
        answer = answer.duplicate_of
    # Locked: a follow-up written while the matter is being closed would be a message nobody answers.
    answer = MATTER_FLOW.lock(answer)
    note = f"群众通过回音卡补充:{content}"
    repeated = first.content == content or answer.content == content or answer.events.filter(note=note).exists()
    if first.submission_key == submission_key or repeated:
        outcome = EchoOutcome.REPEAT
    elif not answer.is_open:
        raise CardUsedUp(f"这张回音卡反映的事已经办结(查询编号 {answer.reference}),{when_closed}", answer=answer)
    else:
        MATTER_FLOW.record(answer, actor=actor, note=note)
        outcome = EchoOutcome.FOLLOW_UP
    added = _keep_contact(first, actor=actor, resident_name=resident_name, resident_phone=resident_phone)
    return EchoResult(first, "", outcome, answer=answer, added=added)


def _keep_contact(matter: Matter, *, actor: User | None, resident_name: str, resident_phone: str) -> tuple[str, ...]:
    """A name or phone the resident gives on a later echo, kept where the matter had none (what was given
    first is never overwritten by whoever holds the card), with a history row saying so."""
    given = {"resident_name": resident_name.strip(), "resident_phone": resident_phone.strip()}
    missing = {field: value for field, value in given.items() if value and not getattr(matter, field)}
    if not missing:
        return ()
    Matter.objects.filter(pk=matter.pk).update(**missing)
    for field, value in missing.items():
        setattr(matter, field, value)
    words = []
    if "resident_name" in missing:
        words.append(f"称呼({missing['resident_name']})")
    if "resident_phone" in missing:
        words.append(f"联系电话({mask_phone(missing['resident_phone'])})")
    MATTER_FLOW.record(matter, actor=actor, note=f"群众再次回音,补充了{'、'.join(words)}")
    return tuple(CONTACT_WORDS[field] for field in missing)


CONTACT_WORDS = {"resident_name": "称呼", "resident_phone": "联系电话"}
