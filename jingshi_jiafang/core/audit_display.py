"""The audit log as a person reads it: who (name and unit), on what (a matter's reference, a card's number),
and what changed ("办结 → 处理"), for the auditor's page and the Excel export.

Entries store the model label and primary key of their object and a JSON detail (core/audit.py); this module
only reads them. Objects are named per model label through the app registry, the way Django admin's LogEntry
names its objects, so the audit log needs no import of the apps that write to it; the codes a detail stores (a
category, a metric, a callback's source) are named by the choices of the field that holds them, read the same way.
A page of entries costs one query for the people it names and one per kind of object on it, whatever the number of
entries.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q

from jingshi_jiafang.core.models import AuditEntry, ExportJob, ImportRun, User


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
    "core.ExportJob": _Namer((), lambda j: f"导出文件 {j.get_kind_display()} #{j.pk}"),
    "feedback.TopicMonth": _Namer((), lambda m: f"类别研判 {_month_text(m.month)}"),
    "feedback.TopicModel": _Namer((), lambda m: f"类别模型 v{m.version}"),
    "evaluation.ScoreMonth": _Namer((), lambda m: f"考核月份 {_month_text(m.month)}"),
    "evaluation.ScoreWeight": _Namer((), lambda w: f"考核权重 {w}"),
    "evaluation.Callback": _Namer((), lambda c: f"次日回访 #{c.pk}({c})"),
    "evaluation.FieldCheck": _Namer((), lambda c: f"{c} #{c.pk}"),
    "evaluation.Questionnaire": _Namer((), lambda q: f"问卷调查 {q.title}"),
    "evaluation.SampledHousehold": _Namer(
        ("questionnaire",), lambda s: f"抽样户 #{s.pk}(问卷调查 {s.questionnaire.title})"
    ),
    "ledger.ServiceTeam": _Namer((), lambda t: f"服务队 {t.name}"),
    "ledger.LedgerEvidence": _Namer((), lambda e: f"台账凭证 #{e.pk}(台账事项 #{e.item_id})"),
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
    "event": "事项",
    "category": "类别",
    "was": "原类别",
    "suggested": "建议类别",
    "month": "月份",
    "matters": "诉求件数",
    "closed": "结束研判",
    "subject_kind": "考核对象",
    "metric": "指标",
    "valid_from": "起始月份",
    "weight": "权重",
    "before": "原权重",
    "rows_changed": "变动记录数",
    "reason": "理由",
    "note": "说明",
    "source": "来源",
    "worker": "被考核人",
    "seed": "抽样种子",
    "sampled": "抽取户数",
    "asked_for": "计划样本量",
    "method": "方式",
    "answers": "作答题数",
    "team_members": "服务队队员电话",
    "ledger_item": "台账事项",
    "file": "文件",
    "kind": "号码类型",
    "text": "检索内容",
    "found": "结果数",
    "via": "途径",
    "unit": "单位",
    "previous_unit": "原单位",
    "pairing_link": "结对记录",
    "ended": "结束的结对记录",
    "assigned": "分配户数",
    "unit_name": "单位",
}
# An export's filters: the query string of the page it was started from.
_FILTER_LABELS = {
    "month": "月份",
    "area": "区域",
    "actor": "操作人账号",
    "action": "操作",
    "ip_address": "来源地址",
    "date_from": "起始日期",
    "date_to": "截止日期",
    "object_id": "对象编号",
}
_VALUE_LABELS = {
    "change": {"start": "开始联系", "end": "结束联系", "bulk_assign": "批量分配", "pairing": "结对"},
    "what": {
        "echo_card_sheet": "回音卡打印单",
        "night_plan": "夜访安排",
        "daily_review_rebuilt": "重新生成每日通报",
        "import_problems": "导入检查结果",
        "matter_query_password": "诉求查询密码",
        **dict(ExportJob.Kind.choices),
        **{kind: f"{label}导入" for kind, label in ImportRun.Kind.choices},
        **{f"import:{kind}": f"{label}导入文件" for kind, label in ImportRun.Kind.choices},
    },
    "stage": {"enrolment": "绑定动态口令时", "login": "登录时"},
    "role": dict(User.Role.choices) | {"": "未分配"},
    "event": {
        "score_month_closed": "关闭考核月份",
        "score_month_recomputed": "重算已关闭的考核月份",
        "score_weight_set": "调整考核权重",
    },
    "kind": {"id_number": "身份证号", "phone": "手机号", "phone_last_four": "手机号后四位"},
    "via": {"import": "批量导入"},
    "action": dict(AuditEntry.Action.choices),
}
# Detail keys whose values are the choices of a model's field, named by label (None: the entry's own object, as a
# callback's or a field check's source). Read through the app registry, as the objects are.
_CHOICE_KEYS = {
    "category": ("feedback.Matter", "category"),
    "was": ("feedback.Matter", "category"),
    "suggested": ("feedback.Matter", "category_suggested"),
    "subject_kind": ("evaluation.ScoreWeight", "subject_kind"),
    "metric": ("evaluation.ScoreWeight", "metric"),
    "method": ("evaluation.QuestionnaireResponse", "method"),
    "source": (None, "source"),
}
# The field whose choices name a state change ("from", "to") where it is not the object's `state`; and states
# that no field holds.
_STATE_FIELDS = {
    "evaluation.FieldCheck": ("evaluation.FieldCheck", "result"),
    "evaluation.SampledHousehold": ("evaluation.QuestionnaireResponse", "outcome"),
}
_STATE_WORDS = {"pending": "待调查", "sampled": "已抽样"}
# Detail keys that hold a user: by primary key, or (officer) by username.
_USER_KEYS = {"owner", "previous", "officer", "night_officer", "worker"}
# Detail keys that hold another object's primary key, named as the objects are.
_OBJECT_KEYS = {"unit": "core.Unit", "previous_unit": "core.Unit"}
_MONTH_KEYS = {"month", "valid_from"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


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
            detail=_detail_text(entry, users, objects),
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
        for key in _OBJECT_KEYS.keys() & set(entry.detail or {}):
            if isinstance(entry.detail[key], int):
                wanted[_OBJECT_KEYS[key]].add(entry.detail[key])
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


@cache
def _choices(label: str, field: str) -> dict:
    """The labels of a field's choices; empty for a model or field that is not there (an old entry's)."""
    try:
        return dict(apps.get_model(label)._meta.get_field(field).flatchoices)
    except (LookupError, ValueError, FieldDoesNotExist):
        return {}


def _state_labels(entry: AuditEntry) -> dict:
    """A state change names its states by the labels of the object's own `state` field (or the field that holds
    its outcome, `_STATE_FIELDS`)."""
    return _STATE_WORDS | _choices(*_STATE_FIELDS.get(entry.object_type, (entry.object_type, "state")))


def _month_text(value) -> str:
    return f"{value.year}年{value.month}月"


@dataclass(frozen=True)
class _Context:
    """What a value may be named from: the entry's object, the people and objects on the page."""

    object_type: str
    users: dict
    objects: dict


def _detail_text(entry: AuditEntry, users: dict, objects: dict) -> str:
    detail = dict(entry.detail or {})
    context = _Context(entry.object_type, users, objects)
    parts = []
    if "from" in detail or "to" in detail:
        before, after = detail.pop("from", None), detail.pop("to", None)
        if isinstance(before, dict) or isinstance(after, dict):
            parts += _field_changes(before or {}, after or {}, context)
        else:
            states = _state_labels(entry)
            parts.append(f"{states.get(before, before) or '新登记'} → {states.get(after, after)}")
    # In the labels' order, not the stored one: PostgreSQL's jsonb keeps keys shortest first, SQLite as written.
    for key, value in sorted(detail.items(), key=lambda item: _KEY_ORDER.get(item[0], len(_KEY_ORDER))):
        parts.append(f"{_KEY_LABELS.get(key, key)}:{_value_text(key, value, context)}")
    return ";".join(parts)


def _field_changes(before: dict, after: dict, context: _Context) -> list[str]:
    """Each field before → after. A field stored with its name beside it (`unit` and `unit_name`) shows the name;
    a role change's values name no one, so people and objects are not looked up in them."""
    bare = _Context(context.object_type, {}, {})
    keys = dict.fromkeys([*before, *after])
    return [
        f"{_KEY_LABELS.get(key, key)}:{_value_text(key, before.get(key), bare)} → "
        f"{_value_text(key, after.get(key), bare)}"
        for key in keys
        if f"{key}_name" not in keys
    ]


def _value_text(key: str, value, context: _Context) -> str:
    if key in _USER_KEYS and isinstance(value, int | str) and value in context.users:
        return user_text(context.users[value])
    if key in _OBJECT_KEYS and (_OBJECT_KEYS[key], str(value)) in context.objects:
        return context.objects[_OBJECT_KEYS[key], str(value)]
    if value is None or value == "":
        return _VALUE_LABELS.get(key, {}).get("", "无")
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "size" and isinstance(value, int):
        return f"{value / 1024:.1f} KB"
    if key in ("household", "ledger_item", "pairing_link", "ended") or key in _OBJECT_KEYS:
        return f"#{value}"
    if key in _MONTH_KEYS and isinstance(value, str) and (month := _MONTH.match(value)):
        return f"{int(month[1])}年{int(month[2])}月"
    if isinstance(value, dict):
        named = (
            f"{_FILTER_LABELS.get(k, k)}={_value_text(k, v, context)}" for k, v in value.items() if v not in ("", None)
        )
        return "、".join(named) or "无"
    if key in _CHOICE_KEYS:
        label, field = _CHOICE_KEYS[key]
        return str(_choices(label or context.object_type, field).get(value, value))
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
