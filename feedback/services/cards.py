"""Echo cards: issued in batches with numbers that are unique, without gaps and never reused; handed to a
household on a visit; echoed back by the resident; or voided with a reason."""

import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from feedback.models import CardBatch, CardSequence, EchoCard, EchoCardEvent, Matter
from visits.audit import Action, audit_record
from visits.models import Household, Unit, User, Visit

from .matters import matter_register

CardState = EchoCard.State
CARD_TRANSITIONS: dict[str, set[str]] = {
    CardState.IN_STOCK: {CardState.HANDED_OUT, CardState.VOIDED},
    CardState.HANDED_OUT: {CardState.ECHOED, CardState.VOIDED},
    CardState.ECHOED: set(),
    CardState.VOIDED: set(),
}
MAX_BATCH = 1000
# No 0/O or 1/I/L: the resident copies the code from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CardError(Exception):
    """A card operation the rules do not allow; the message is shown to the user."""


def card_number(unit: Unit, year: int, sequence: int) -> str:
    root = unit
    while root.parent_id is not None:
        root = root.parent
    prefix = root.code if root.pk == unit.pk else f"{root.code}-{unit.code}"
    return f"{prefix}-{year}-{sequence:06d}"


def _verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@transaction.atomic
def card_batch_issue(*, unit: Unit, count: int, actor: User, year: int | None = None) -> CardBatch:
    """Numbers come from the unit's yearly counter, locked for the transaction: two batches issued at the same
    moment get consecutive ranges, never the same numbers and never a gap."""
    if not 1 <= count <= MAX_BATCH:
        raise CardError(f"每批制卡 1 至 {MAX_BATCH} 张。")
    year = year or timezone.localdate().year
    CardSequence.objects.bulk_create([CardSequence(unit=unit, year=year)], ignore_conflicts=True)
    counter = CardSequence.objects.select_for_update().get(unit=unit, year=year)
    first = counter.next_value
    counter.next_value = first + count
    counter.save(update_fields=["next_value"])
    batch = CardBatch.objects.create(unit=unit, year=year, first_sequence=first, count=count, issued_by=actor)
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


def _card_move(card: EchoCard, to_state: str, *, actor: User | None, note: str, fields: dict) -> EchoCard:
    card = EchoCard.objects.select_for_update().get(pk=card.pk)
    if to_state not in CARD_TRANSITIONS[card.state]:
        raise CardError(
            f"回音卡 {card.number} 当前为“{card.get_state_display()}”,不能改为“{CardState(to_state).label}”。"
        )
    from_state = card.state
    for name, value in fields.items():
        setattr(card, name, value)
    card.state = to_state
    card.save(update_fields=["state", *fields])
    EchoCardEvent.objects.create(card=card, from_state=from_state, to_state=to_state, actor=actor, note=note)
    audit_record(action=Action.STATE_CHANGED, actor=actor, target=card, detail={"from": from_state, "to": to_state})
    return card


@transaction.atomic
def card_hand_out(*, number: str, household: Household, actor: User, visit: Visit | None = None) -> EchoCard:
    card = EchoCard.objects.filter(number=number.strip().upper()).first()
    if card is None:
        raise CardError(f"没有编号为 {number} 的回音卡。")
    if card.unit_id != actor.unit_id and card.unit_id != getattr(actor.unit, "parent_id", None):
        raise CardError(f"回音卡 {card.number} 不是本单位的卡。")
    return _card_move(
        card,
        CardState.HANDED_OUT,
        actor=actor,
        note=f"发放给{household}",
        fields={"household": household, "visit": visit, "handed_out_at": timezone.now()},
    )


@transaction.atomic
def card_void(*, card: EchoCard, actor: User, reason: str) -> EchoCard:
    if not reason.strip():
        raise CardError("请填写作废原因(如遗失、损坏)。")
    return _card_move(card, CardState.VOIDED, actor=actor, note=reason, fields={"void_reason": reason})


@transaction.atomic
def card_echo(
    *, number: str, code: str, content: str, resident_name: str = "", resident_phone: str = "", request=None
) -> tuple[Matter, str] | None:
    """A resident echoes back online with the card's number and code. Returns the matter and the query password
    (shown once), or None for any wrong number, code or card state, without saying which."""
    card = EchoCard.objects.select_for_update().filter(number=number.strip().upper()).first()
    expected = card.verification_code if card else _verification_code()
    code_ok = hmac.compare_digest(expected.encode(), code.strip().upper().encode())
    if card is None or not code_ok or card.state not in (CardState.HANDED_OUT, CardState.ECHOED):
        return None
    password = "".join(secrets.choice("0123456789") for _ in range(6))
    matter = matter_register(
        channel=Matter.Channel.ONLINE,
        content=content,
        unit=card.unit,
        actor=None,
        household=card.household,
        echo_card=card,
        resident_name=resident_name,
        resident_phone=resident_phone,
        query_password=password,
        request=request,
    )
    if card.state == CardState.HANDED_OUT:
        _card_move(card, CardState.ECHOED, actor=None, note=f"网上回音,诉求 {matter.reference}", fields={})
    return matter, password
