"""The system actor: who a scheduled job acts as.

A Celery job (escalation, the audit checkpoint and verification, a queued export) passes `system_actor()` to the
services it calls, as a person's request passes `request.user`, so every service names who acts and the history
and audit rows say "系统" instead of leaving the actor empty. The system actor is a real `User` row, so the
history's and audit log's foreign keys hold, but it has no role, no usable password and is inactive: it cannot
log in, and every capability in `core.capabilities` is false for it. A service that a job may run accepts it
explicitly (`is_system_actor`).
"""

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured

from jingshi_jiafang.core.models import User

SYSTEM_USERNAME = "system"


def system_actor() -> User:
    """The one system user, created on first use, with its unusable password in the same INSERT: set by a second
    write, a job killed between the two left a row with a usable (empty) password, which every later job then
    refused as a person's account under the reserved name."""
    user, _ = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"name": "系统", "role": "", "is_active": False, "password": make_password(None)},
    )
    if user.is_active or user.role or user.is_staff or user.has_usable_password():
        # Someone made a person's account under the reserved name: a job must not act as them.
        raise ImproperlyConfigured(f"The username {SYSTEM_USERNAME!r} is reserved for the system actor.")
    return user


def is_system_actor(user: User | None) -> bool:
    """Whether `user` is the system actor (a job), not a person."""
    return user is not None and user.username == SYSTEM_USERNAME and not user.is_active and not user.role


def require(actor: User | None, may, *args, error: type[Exception], message: str, jobs: bool = True) -> None:
    """Raise `error(message)` unless `may(actor, *args)` admits `actor` (or, when `jobs`, it is the system
    actor): the one line at the top of a service that says who may call it."""
    if jobs and is_system_actor(actor):
        return
    if actor is None or not may(actor, *args):
        raise error(message)
