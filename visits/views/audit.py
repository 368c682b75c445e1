"""The auditor's pages: read and export the audit log, and nothing else."""

from itertools import islice

from django.shortcuts import render
from django.utils import timezone

from visits.audit import Action, audit_chain_verify_since_checkpoint, audit_record, full_verification_alert
from visits.audit_display import audit_rows
from visits.exports import xlsx_response
from visits.filters import AuditEntryFilter
from visits.models import AuditEntry, User
from visits.pagination import paginate
from visits.permissions import role_required

auditor_only = role_required(User.Role.AUDITOR)

EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 2000
# What a person reads first; the stored values follow, for checking a row against the hash chain.
EXPORT_HEADERS = [
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


def _filtered(request) -> AuditEntryFilter:
    return AuditEntryFilter(request.GET or None, queryset=AuditEntry.objects.order_by("-id"))


@auditor_only
def audit_list(request):
    entries = _filtered(request)
    context = {"filter": entries, **paginate(request, entries.qs)}
    context["rows"] = audit_rows(context["page"].object_list)
    context["full_verification"], context["full_verification_alert"] = full_verification_alert()
    if request.GET.get("verify") == "1":
        context["chain"] = audit_chain_verify_since_checkpoint()
    return render(request, "visits/audit_list.html", context)


def _export_rows(entries):
    """Named a chunk at a time, so the export costs a few queries per 2,000 entries, not per entry."""
    labels = dict(AuditEntry.Action.choices)
    stream = entries.iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(stream, EXPORT_CHUNK)):
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


@auditor_only
def audit_export(request):
    entries = _filtered(request).qs[:EXPORT_LIMIT]
    audit_record(action=Action.EXPORT, request=request, detail={"what": "audit_log", "filters": request.GET.dict()})
    filename = f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(filename=filename, title="审计日志", headers=EXPORT_HEADERS, rows=_export_rows(entries))
