"""Matters a resident brings without a visit (an echo card, the talk room, the phone, the post box).

Each gets a one-time query password for /echo/status/, and the key of the form it came from: the same form
sent twice (a double tap on a slow connection) finds the first matter instead of making a second one. The
answer to the first sending may never have reached the screen, so a repeat gets a fresh password, which
replaces the one that was perhaps never seen. A later echo on the same card gets a password of its own beside the
earlier ones (`query_password_for_echo`): holding the card must not be enough to lock the first resident out.
"""

import secrets
import uuid

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from feedback.models import Matter, QueryPassword
from feedback.models.matters import QUERY_PASSWORDS_PER_MATTER
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.models import User

from .matters import MatterError, matter_register


def new_query_password() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(6))


@transaction.atomic
def query_password_reissue(*, matter: Matter, actor: User | None, request=None) -> str:
    """A new query password for the matter; the old one stops working. Returns the password (shown once)."""
    password = new_query_password()
    Matter.objects.filter(pk=matter.pk).update(query_password_hash=make_password(password))
    audit_record(
        action=Action.PASSWORD_RESET,
        actor=actor,
        request=request,
        target=matter,
        detail={"what": "matter_query_password"},
    )
    return password


@transaction.atomic
def query_password_for_echo(*, matter: Matter, submission_key: uuid.UUID, request=None) -> tuple[str, bool]:
    """The query password for an echo form on a card whose matter exists: (password, whether it replaced the one
    this same form got when it was sent before). Each form gets its own, and the passwords of other forms keep
    working; the form the matter was registered from replaces the matter's first password, as a repeat always
    did. ("", False) when the matter already has all the passwords it may have: the caller holds the card's
    lock, so two echoes at once cannot both take the last one."""
    if matter.submission_key == submission_key:
        return query_password_reissue(matter=matter, actor=None, request=request), True
    password = new_query_password()
    mine = QueryPassword.objects.filter(matter=matter, submission_key=submission_key)
    if mine.update(password_hash=make_password(password)):
        audit_record(
            action=Action.PASSWORD_RESET, request=request, target=matter, detail={"what": "matter_query_password"}
        )
        return password, True
    if 1 + QueryPassword.objects.filter(matter=matter).count() >= QUERY_PASSWORDS_PER_MATTER:
        return "", False
    QueryPassword.objects.create(matter=matter, submission_key=submission_key, password_hash=make_password(password))
    return password, False


def matter_register_once(*, submission_key: uuid.UUID, **fields) -> tuple[Matter, str, bool]:
    """Register a matter with a query password unless this form was already sent.
    Returns (matter, query password, created)."""
    existing = Matter.objects.filter(submission_key=submission_key).first()
    _check_same_sender(existing, fields)
    if existing is None:
        password = new_query_password()
        try:
            with transaction.atomic():
                matter = matter_register(submission_key=submission_key, query_password=password, **fields)
        except IntegrityError:
            # The same form sent twice at the same moment: the other request made the matter.
            existing = Matter.objects.filter(submission_key=submission_key).first()
            if existing is None:
                raise
            _check_same_sender(existing, fields)
        else:
            return matter, password, True
    password = query_password_reissue(matter=existing, actor=fields.get("actor"), request=fields.get("request"))
    return existing, password, False


def _check_same_sender(existing: Matter | None, fields: dict) -> None:
    """A key is only ever sent again by whoever sent it first; anything else is not a repeat to answer."""
    if existing is None:
        return
    card, actor = fields.get("echo_card"), fields.get("actor")
    if existing.echo_card_id != (card.pk if card else None) or existing.reported_by_id != (actor.pk if actor else None):
        raise MatterError("这份表单已经提交过,请刷新页面后重新填写。")
