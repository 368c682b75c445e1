"""Writing and verifying the audit log.

Each entry carries the hash of the entry before it, so changing, removing or inserting a row anywhere breaks
the chain from that row on; `manage.py verify_audit_log` walks it. Entries are written inside the caller's
transaction, so a state change and its audit row commit or roll back together.

The chain alone cannot tell that its newest entries were deleted, or that someone with the database rewrote a
row and recomputed every hash after it. So the chain is anchored outside the table: a checkpoint (entry count,
last id, head hash) is appended periodically to a file the database never sees, signed with an HMAC key the
database never sees (`AUDIT_CHECKPOINT_FILE`, `AUDIT_CHECKPOINT_KEY`), and verification compares against the
latest one.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.capabilities import may_read_audit_log
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import AuditEntry, AuditVerification, User

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
    # The checkpointed entry the walk started from; None when it started from the first entry.
    since_id: int | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


_PREVIOUS_MISMATCH = "前一条哈希不符:之前的记录被修改、删除或插入"
_CONTENT_MISMATCH = "本条内容与哈希不符:该记录被修改"


def audit_chain_verify() -> ChainReport:
    """The full walk (`manage.py verify_audit_log`, nightly): walk the chain, then hold it against the latest
    checkpoint: the entry it names must still be there, with the same hash and as many entries up to it."""
    try:
        checkpoint = latest_checkpoint()
    except CheckpointError as error:
        return ChainReport(0, 0, str(error))
    expected_previous = GENESIS_HASH
    checked = 0
    anchored = checkpoint is None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if checkpoint and not anchored and entry.pk > checkpoint.last_id:
            return ChainReport(checked, checkpoint.last_id, _MISSING_CHECKPOINTED)
        if entry.previous_hash != expected_previous:
            return ChainReport(checked, entry.pk, _PREVIOUS_MISMATCH)
        if entry_digest(entry) != entry.entry_hash:
            return ChainReport(checked, entry.pk, _CONTENT_MISMATCH)
        expected_previous = entry.entry_hash
        checked += 1
        if checkpoint and entry.pk == checkpoint.last_id:
            if entry.entry_hash != checkpoint.head_hash or checked != checkpoint.count:
                return ChainReport(checked - 1, entry.pk, _CHECKPOINT_MISMATCH)
            anchored = True
    if not anchored:
        return ChainReport(checked, checkpoint.last_id, _MISSING_CHECKPOINTED)
    return ChainReport(checked)


_MISSING_CHECKPOINTED = "检查点记录的条目已不存在:最新的记录被删除"
_CHECKPOINT_MISMATCH = "与检查点不符:此前的记录被改写后重算了哈希,或被删除"


def audit_chain_verify_since_checkpoint() -> ChainReport:
    """What a web request can afford: hold the latest checkpoint against the table (its entry still there, with
    its hash and content, and as many entries up to it, counted in SQL), then walk only the entries after it.
    An entry before the checkpoint changed in place without recomputing the hashes is left to the full walk
    (`audit_full_verification_run`, nightly). Without a checkpoint yet, the walk starts at the first entry."""
    try:
        checkpoint = latest_checkpoint()
    except CheckpointError as error:
        return ChainReport(0, 0, str(error))
    if checkpoint is None:
        return audit_chain_verify()
    anchor = AuditEntry.objects.filter(pk=checkpoint.last_id).first()
    if anchor is None:
        return ChainReport(0, checkpoint.last_id, _MISSING_CHECKPOINTED, since_id=checkpoint.last_id)
    if anchor.entry_hash != checkpoint.head_hash or entry_digest(anchor) != anchor.entry_hash:
        return ChainReport(0, anchor.pk, _CHECKPOINT_MISMATCH, since_id=anchor.pk)
    if AuditEntry.objects.filter(id__lte=anchor.pk).count() != checkpoint.count:
        return ChainReport(0, anchor.pk, _CHECKPOINT_MISMATCH, since_id=anchor.pk)
    expected_previous = anchor.entry_hash
    checked = 1
    for entry in AuditEntry.objects.filter(id__gt=anchor.pk).order_by("id").iterator(chunk_size=2000):
        if entry.previous_hash != expected_previous:
            return ChainReport(checked, entry.pk, _PREVIOUS_MISMATCH, since_id=anchor.pk)
        if entry_digest(entry) != entry.entry_hash:
            return ChainReport(checked, entry.pk, _CONTENT_MISMATCH, since_id=anchor.pk)
        expected_previous = entry.entry_hash
        checked += 1
    return ChainReport(checked, since_id=anchor.pk)


# The full walk's result is kept, so that the auditor's page can say when the chain was last walked whole.
FULL_VERIFICATION_MAX_AGE = timedelta(hours=50)


class AuditError(DomainError):
    """A request about the audit log itself that the rules refuse."""


def audit_full_verification_run(*, actor: User) -> AuditVerification:
    """Walk the whole chain and store the result. Reads only: it takes no lock, so writers never wait for it.
    The nightly job runs it as the system actor; an auditor may too."""
    require(actor, may_read_audit_log, error=AuditError, message="只有安全审计员可以校验审计日志。")
    return _full_walk_stored()[1]


def audit_chain_check(*, actor: User) -> ChainReport:
    """The auditor's 校验哈希链, in a web request: from the latest checkpoint on. Until a full walk has been
    stored (a new installation before its first night) it walks the whole chain instead and stores it as the
    nightly job does, so that after a check the page never says the chain was never verified; such a chain is
    young, so short."""
    require(actor, may_read_audit_log, error=AuditError, message="只有安全审计员可以校验审计日志。", jobs=False)
    if AuditVerification.objects.exists():
        return audit_chain_verify_since_checkpoint()
    return _full_walk_stored()[0]


def _full_walk_stored() -> tuple[ChainReport, AuditVerification]:
    started_at = timezone.now()
    report = audit_chain_verify()
    result = AuditVerification.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        intact=report.intact,
        checked=report.checked,
        first_broken_id=report.first_broken_id,
        reason=report.reason[:200],
    )
    if not report.intact:
        log.error("Audit chain broken at #%s: %s", report.first_broken_id, report.reason)
    return report, result


def full_verification_alert(now=None) -> tuple[AuditVerification | None, str]:
    """The last full walk, and what the auditor must be told about it: empty when it was intact and recent. Read
    after the page's own check, which may have been that walk (`audit_chain_check`)."""
    last = AuditVerification.objects.first()
    if last is None:
        return None, "哈希链还没有完整校验过。每晚的定时任务会校验全部记录;点击“校验哈希链”可立即校验。"
    if not last.intact:
        return last, (
            f"最近一次完整校验({timezone.localtime(last.finished_at):%Y-%m-%d %H:%M})发现哈希链"
            f"在第 {last.first_broken_id} 条记录处断开:{last.reason}"
        )
    if (now or timezone.now()) - last.finished_at > FULL_VERIFICATION_MAX_AGE:
        # The auditor cannot start the nightly job: the one who keeps the servers can.
        return last, (
            f"最近一次完整校验是 {timezone.localtime(last.finished_at):%Y-%m-%d %H:%M},已超过两天:"
            "每晚校验全部记录的定时任务可能没有运行,请通知系统管理员检查。"
            "点击“校验哈希链”可立即校验最新检查点之后的记录。"
        )
    return last, ""


# Checkpoints: the chain's anchor outside the database.

log = logging.getLogger(__name__)


class CheckpointError(Exception):
    """The checkpoint file exists but cannot be trusted; the message is shown to the auditor."""


@dataclass(frozen=True)
class Checkpoint:
    at: str
    count: int
    last_id: int
    head_hash: str


def _checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def _signature(fields: dict) -> str:
    message = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(settings.AUDIT_CHECKPOINT_KEY.encode(), message, hashlib.sha256).hexdigest()


def audit_checkpoint_write(*, actor: User) -> Checkpoint | None:
    """Append the chain's current head to the checkpoint file, signed. Nothing to anchor in an empty log.
    Written under the chain's lock, so no entry is being appended while the head is read. A job (the system
    actor) or an auditor writes it."""
    require(actor, may_read_audit_log, error=AuditError, message="只有安全审计员可以写入审计检查点。")
    with transaction.atomic():
        _lock_chain()
        head = AuditEntry.objects.order_by("-id").values("id", "entry_hash").first()
        if head is None:
            return None
        checkpoint = Checkpoint(
            at=timezone.now().isoformat(),
            count=AuditEntry.objects.filter(id__lte=head["id"]).count(),
            last_id=head["id"],
            head_hash=head["entry_hash"],
        )
    fields = vars(checkpoint)
    path = _checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened for appending only: earlier checkpoints are never rewritten by the application.
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps({**fields, "signature": _signature(fields)}, sort_keys=True) + "\n")
        file.flush()
    log.info("Audit checkpoint: %s entries up to #%s", checkpoint.count, checkpoint.last_id)
    return checkpoint


def latest_checkpoint() -> Checkpoint | None:
    path = _checkpoint_path()
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return None
    try:
        record = json.loads(lines[-1])
        signature = record.pop("signature")
        checkpoint = Checkpoint(**record)
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointError("检查点文件无法读取:可能被改动") from error
    if not hmac.compare_digest(signature, _signature(vars(checkpoint))):
        raise CheckpointError("检查点签名不符:检查点文件被改动,或密钥不对")
    return checkpoint
