"""Accounts: passwords, the second factor, roles. Every change here is written to the audit log."""

import math

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.capabilities import may_administer_security
from jingshi_jiafang.core.models import Unit, User


class AccountError(Exception):
    """A change the rules do not allow; the message is shown to the user."""


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def otp_required(user: User) -> bool:
    return user.role in settings.OTP_REQUIRED_ROLES


def needs_otp_verification(user: User) -> bool:
    return not user.is_verified() and has_confirmed_device(user)


def needs_otp_enrolment(user: User) -> bool:
    return otp_required(user) and not user.is_verified() and not has_confirmed_device(user)


def otp_wait_seconds(devices) -> int:
    """How long until a second-factor code may be tried again after wrong ones (django-otp doubles the wait
    with each: 1, 2, 4, … seconds, and refuses even the right code meanwhile); 0 when one device may be tried."""
    waits = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            return 0
        locked_until = (data or {}).get("locked_until")
        waits.append(max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1)
    return min(waits, default=0)


def otp_refusal(devices, *, was_locked: bool) -> str:
    """What to tell someone whose code was refused: typed while still locked after wrong ones (not checked at
    all), or wrong, with how long to wait before the next try once the wait is more than a moment."""
    wait = otp_wait_seconds(devices)
    if was_locked:
        return f"刚输错过动态口令,已暂时锁定,这次输入未核对:请等 {max(wait, 1)} 秒后,输入手机上当时显示的口令。"
    wait_note = f"再次输入前请等 {wait} 秒。" if wait > 1 else ""
    # Each code is good once: one just used (at enrolment, on another page) is refused like a wrong one.
    return (
        "动态口令不正确、已过期或已用过:每个口令只能用一次,请输入手机上新显示的口令;"
        f"若一直不对,请确认手机时间准确。{wait_note}"
    )


def otp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) TOTP device, made on first use so the secret stays the same on reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="手机动态口令", confirmed=False)


@transaction.atomic
def otp_device_confirm(*, device: TOTPDevice, token: str, request) -> bool:
    if not device.verify_token(token):
        audit_record(action=Action.OTP_FAILED, request=request, detail={"stage": "enrolment"})
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action=Action.OTP_ENROLLED, request=request, target=device.user)
    return True


@transaction.atomic
def otp_reset(*, user: User, actor: User, request) -> None:
    """A lost phone: the security administrator removes the user's devices; they enrol again at next login. Their
    sessions end with it: a session left open (on the lost phone) would otherwise enrol a new device without the
    password."""
    if user.pk == actor.pk:
        raise AccountError("不能重置自己的动态口令。")
    TOTPDevice.objects.filter(user=user).delete()
    ended = end_sessions_of(user)
    audit_record(action=Action.OTP_RESET, actor=actor, request=request, target=user, detail={"sessions_ended": ended})


def end_sessions_of(user: User) -> int:
    """Signs the user out everywhere. Django keeps sessions by key only: the unexpired ones (a county's users'
    last half hour) are read and the user's deleted. Returns how many were ended."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_password_changed(*, user: User, request) -> None:
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit_record(action=Action.PASSWORD_CHANGED, request=request, target=user)


@transaction.atomic
def user_created_by_admin(*, user: User, actor: User, request) -> None:
    """An account made by an administrator starts with no role and a password its owner must change."""
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    audit_record(action=Action.USER_CREATED, actor=actor, request=request, target=user)


@transaction.atomic
def user_password_reset_by_admin(*, user: User, actor: User, request) -> None:
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    audit_record(action=Action.PASSWORD_RESET, actor=actor, request=request, target=user)


@transaction.atomic
def user_role_change(*, user: User, actor: User, role: str, is_unit_head: bool, request) -> User:
    """Only a security administrator changes roles, and never their own."""
    if not may_administer_security(actor):
        raise AccountError("只有安全管理员可以分配角色。")
    if user.pk == actor.pk:
        raise AccountError("不能为自己分配角色。")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"role": user.role, "is_unit_head": user.is_unit_head}
    user.role = role
    user.is_unit_head = is_unit_head
    # Django admin is the system administrator's tool for reference data, and nobody else's.
    user.is_staff = role == User.Role.ADMIN
    user.save(update_fields=["role", "is_unit_head", "is_staff"])
    after = {"role": user.role, "is_unit_head": user.is_unit_head}
    audit_record(
        action=Action.ROLE_CHANGED, actor=actor, request=request, target=user, detail={"from": before, "to": after}
    )
    return user


@transaction.atomic
def user_unit_change(*, user: User, actor: User, unit: Unit, request) -> User:
    """A user's unit is part of their scope (a unit head or duty officer sees its area): only a security
    administrator moves someone to another unit, never themselves, and the move is audited."""
    if not may_administer_security(actor):
        raise AccountError("只有安全管理员可以调整所属单位。")
    if user.pk == actor.pk:
        raise AccountError("不能调整自己的所属单位。")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"unit": user.unit_id, "unit_name": str(user.unit) if user.unit_id else ""}
    user.unit = unit
    user.save(update_fields=["unit"])
    after = {"unit": unit.pk, "unit_name": str(unit)}
    audit_record(
        action=Action.SCOPE_CHANGED, actor=actor, request=request, target=user, detail={"from": before, "to": after}
    )
    return user
