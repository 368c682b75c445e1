"""The audit log as a person reads it: who (name and unit), on what (a matter's reference, a card's number),
and what changed ("办结 → 处理"), for the auditor's page and the Excel export.

Entries store the model label and primary key of their object and a JSON detail (core/audit.py); this module
only reads them. Objects are named per model label through the app registry, the way Django admin's LogEntry
names its objects, so the audit log needs no import of the apps that write to it. A page of entries costs one
query for the people it names and one per kind of object on it, whatever the number of entries.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q

from jingshi_jiafang.core.models import AuditEntry, ImportRun, User


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: str
    target: str
    detail: str


@dataclass(frozen=True)
class _Namer:
    related: tuple[str, ...]
    name: Callable[[Model], str]


# Residents are named by where they live and a number, not by name: the auditor reads the log, not case data.
_NAMERS = {
    "core.Household": _Namer(("village__parent",), lambda h: f"住户 #{h.pk}({h.village.full_name})"),
    "visits.HouseholdAttachment": _Namer((), lambda a: f"住户附件 #{a.pk}(住户 #{a.household_id})"),
    "core.Unit": _Namer((), lambda u: f"单位 {u.name}"),
    "core.Area": _Namer(("parent",), lambda a: f"区域 {a.full_name}"),
    "feedback.Matter": _Namer((), lambda m: f"诉求 {m.reference}"),
    "feedback.EchoCard": _Namer((), lambda c: f"回音卡 {c.number}"),
    "feedback.CardBatch": _Namer(("unit",), lambda b: f"回音卡批次 {b}"),
    "evaluation.DailyReview": _Namer((), lambda r: f"每日通报 {r.day:%Y-%m-%d}"),
    "core.ImportRun": _Namer((), lambda r: f"{r.get_kind_display()}导入 #{r.pk}"),
}

_KEY_LABELS = {
    "owner": "首问责任人改为",
    "officer": "责任民警改为",
    "previous": "原责任民警",
    "area": "联系区域",
    "area_link": "联系记录",
    "change": "变更",
    "start": "开始日期",
    "end": "结束日期",
    "household": "住户",
    "name": "文件名",
    "size": "大小",
    "what": "内容",
    "filters": "筛选条件",
    "stage": "环节",
    "locked": "锁定期间输入",
    "role": "角色",
    "is_unit_head": "单位负责人",
    "night_officer": "夜访民警",
    "village": "村/居",
    "date": "日期",
    "day": "通报日期",
    "rebuilt_count": "重新生成次数",
    "filename": "文件名",
    "sha256": "文件哈希",
    "bytes": "字节数",
    "read": "读取行数",
    "written": "写入行数",
    "new": "新增",
    "changed": "更新",
    "unchanged": "未变",
    "skipped": "跳过",
    "sessions_ended": "结束的登录会话",
}
_VALUE_LABELS = {
    "change": {"start": "开始联系", "end": "结束联系"},
    "what": {
        "audit_log": "审计日志",
        "echo_card_sheet": "回音卡打印单",
        "night_plan": "夜访安排",
        "daily_review_rebuilt": "重新生成每日通报",
        "import_problems": "导入检查结果",
        **{kind: f"{label}导入" for kind, label in ImportRun.Kind.choices},
        **{f"import:{kind}": f"{label}导入文件" for kind, label in ImportRun.Kind.choices},
    },
    "stage": {"enrolment": "绑定动态口令时", "login": "登录时"},
    "role": dict(User.Role.choices) | {"": "未分配"},
}
# Detail keys that hold a user: by primary key, or (officer) by username.
_USER_KEYS = {"owner", "previous", "officer", "night_officer"}


_KEY_ORDER = {key: position for position, key in enumerate(_KEY_LABELS)}


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    entries = list(entries)
    users = _users_named_in(entries)
    objects = _objects_named_in(entries, users)
    return [
        AuditRow(
            entry=entry,
            actor=_actor_text(entry, users),
            target=_target_text(entry, objects),
            detail=_detail_text(entry, users),
        )
        for entry in entries
    ]


def user_text(user: User) -> str:
    name = f"{user.name}({user.username})" if user.name else user.username
    return f"{name} · {user.unit.name}" if user.unit_id else name


def _users_named_in(entries: list[AuditEntry]) -> dict:
    """One query for every person a page names: actors, users acted on, users in the details. Keyed by primary
    key and by username."""
    ids, usernames = set(), set()
    for entry in entries:
        if entry.actor_id:
            ids.add(entry.actor_id)
        if entry.object_type == "core.User" and entry.object_id.isdigit():
            ids.add(int(entry.object_id))
        for key in _USER_KEYS & set(entry.detail or {}):
            value = entry.detail[key]
            if isinstance(value, int):
                ids.add(value)
            elif isinstance(value, str) and value:
                usernames.add(value)
    if not ids and not usernames:
        return {}
    found = User.objects.filter(Q(pk__in=ids) | Q(username__in=usernames)).select_related("unit")
    users = {}
    for user in found:
        users[user.pk] = users[user.username] = user
    return users


def _objects_named_in(entries: list[AuditEntry], users: dict) -> dict:
    """(label, id) → text, with one query per kind of object on the page."""
    wanted = defaultdict(set)
    for entry in entries:
        if entry.object_type in _NAMERS and entry.object_id.isdigit():
            wanted[entry.object_type].add(int(entry.object_id))
    names = {}
    for label, ids in wanted.items():
        namer = _NAMERS[label]
        model = apps.get_model(label)
        for pk, obj in model.objects.select_related(*namer.related).in_bulk(ids).items():
            names[label, str(pk)] = namer.name(obj)
    names.update({("core.User", str(k)): f"用户 {user_text(u)}" for k, u in users.items() if isinstance(k, int)})
    return names


def _actor_text(entry: AuditEntry, users: dict) -> str:
    if entry.actor_id in users:
        return user_text(users[entry.actor_id])
    if entry.actor_username:
        return f"{entry.actor_username}(未登录)"
    return "系统"


def _target_text(entry: AuditEntry, objects: dict) -> str:
    if not entry.object_type:
        return ""
    if (entry.object_type, entry.object_id) in objects:
        return objects[entry.object_type, entry.object_id]
    try:
        kind = apps.get_model(entry.object_type)._meta.verbose_name
    except (LookupError, ValueError):
        kind = entry.object_type
    return f"{kind} #{entry.object_id}"


def _state_labels(entry: AuditEntry) -> dict:
    """A state change names its states by the labels of the object's own `state` field."""
    try:
        field = apps.get_model(entry.object_type)._meta.get_field("state")
    except (LookupError, ValueError, FieldDoesNotExist):
        return {}
    return dict(field.flatchoices)


def _detail_text(entry: AuditEntry, users: dict) -> str:
    detail = dict(entry.detail or {})
    parts = []
    if "from" in detail or "to" in detail:
        before, after = detail.pop("from", None), detail.pop("to", None)
        if isinstance(before, dict) or isinstance(after, dict):
            parts += _field_changes(before or {}, after or {})
        else:
            states = _state_labels(entry)
            parts.append(f"{states.get(before, before) or '新登记'} → {states.get(after, after)}")
    # In the labels' order, not the stored one: PostgreSQL's jsonb keeps keys shortest first, SQLite as written.
    for key, value in sorted(detail.items(), key=lambda item: _KEY_ORDER.get(item[0], len(_KEY_ORDER))):
        parts.append(f"{_KEY_LABELS.get(key, key)}:{_value_text(key, value, users)}")
    return ";".join(parts)


def _field_changes(before: dict, after: dict) -> list[str]:
    return [
        f"{_KEY_LABELS.get(key, key)}:{_value_text(key, before.get(key), {})} → {_value_text(key, after.get(key), {})}"
        for key in dict.fromkeys([*before, *after])
    ]


def _value_text(key: str, value, users: dict) -> str:
    if key in _USER_KEYS and isinstance(value, int | str) and value in users:
        return user_text(users[value])
    if value is None or value == "":
        return _VALUE_LABELS.get(key, {}).get("", "无")
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "size" and isinstance(value, int):
        return f"{value / 1024:.1f} KB"
    if key == "household":
        return f"#{value}"
    if isinstance(value, dict):
        return "、".join(f"{k}={v}" for k, v in value.items() if v not in ("", None)) or "无"
    return str(_VALUE_LABELS.get(key, {}).get(value, value))


# The Excel export: what a person reads first; the stored values follow, for checking a row against the chain.
AUDIT_EXPORT_HEADERS = [
    "编号",
    "时间",
    "操作人账号",
    "操作人",
    "来源地址",
    "操作",
    "对象",
    "详情",
    "对象类型",
    "对象编号",
    "详情(原始数据)",
    "本条哈希",
]
AUDIT_EXPORT_CHUNK = 2000


def audit_export_rows(entries) -> Iterator[tuple]:
    """Named a chunk at a time, so the export costs a few queries per 2,000 entries, not per entry."""
    labels = dict(AuditEntry.Action.choices)
    stream = entries.iterator(chunk_size=AUDIT_EXPORT_CHUNK)
    while chunk := list(islice(stream, AUDIT_EXPORT_CHUNK)):
        for row in audit_rows(chunk):
            entry = row.entry
            yield (
                entry.pk,
                entry.created_at,
                entry.actor_username,
                row.actor,
                entry.ip_address,
                labels.get(entry.action, entry.action),
                row.target,
                row.detail,
                entry.object_type,
                entry.object_id,
                str(entry.detail),
                entry.entry_hash,
            )
