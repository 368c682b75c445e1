"""Writing and verifying the audit log.

Each entry carries the hash of the entry before it, so changing, removing or inserting a row anywhere breaks
the chain from that row on; `manage.py verify_audit_log` walks it. Entries are written inside the caller's
transaction, so a state change and its audit row commit or roll back together.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from visits.models import AuditEntry, User

GENESIS_HASH = "0" * 64
# Any constant works: it names the one advisory lock that serialises writers of the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 7_001_2012

Action = AuditEntry.Action


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def entry_digest(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            entry.previous_hash,
            entry.created_at.isoformat(),
            entry.actor_id,
            entry.actor_username,
            entry.ip_address,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    request=None,
    target: Model | None = None,
    detail: dict | None = None,
    actor_username: str = "",
) -> AuditEntry:
    """Append one entry. `actor_username` names who tried when there is no user (a failed login)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor,
            actor_username=actor.get_username() if actor else actor_username[:150],
            ip_address=client_ip(request),
            action=action,
            object_type=target._meta.label if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
            previous_hash=last or GENESIS_HASH,
        )
        entry.entry_hash = entry_digest(entry)
        entry.save()
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def audit_chain_verify() -> ChainReport:
    expected_previous = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.previous_hash != expected_previous:
            return ChainReport(checked, entry.pk, "前一条哈希不符:之前的记录被修改、删除或插入")
        if entry_digest(entry) != entry.entry_hash:
            return ChainReport(checked, entry.pk, "本条内容与哈希不符:该记录被修改")
        expected_previous = entry.entry_hash
        checked += 1
    return ChainReport(checked)
