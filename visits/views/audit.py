"""The auditor's pages: read and export the audit log, and nothing else."""

from django.shortcuts import render
from django.utils import timezone

from visits.audit import Action, audit_chain_verify, audit_record
from visits.exports import xlsx_response
from visits.filters import AuditEntryFilter
from visits.models import AuditEntry, User
from visits.pagination import paginate
from visits.permissions import role_required

auditor_only = role_required(User.Role.AUDITOR)

EXPORT_LIMIT = 100_000
EXPORT_HEADERS = ["编号", "时间", "操作人", "来源地址", "操作", "对象类型", "对象编号", "详情", "本条哈希"]


def _filtered(request) -> AuditEntryFilter:
    return AuditEntryFilter(request.GET or None, queryset=AuditEntry.objects.order_by("-id"))


@auditor_only
def audit_list(request):
    entries = _filtered(request)
    context = {"filter": entries, **paginate(request, entries.qs)}
    if request.GET.get("verify") == "1":
        context["chain"] = audit_chain_verify()
    return render(request, "visits/audit_list.html", context)


@auditor_only
def audit_export(request):
    entries = _filtered(request).qs[:EXPORT_LIMIT]
    audit_record(action=Action.EXPORT, request=request, detail={"what": "audit_log", "filters": request.GET.dict()})
    labels = dict(AuditEntry.Action.choices)
    rows = (
        (
            entry.pk,
            entry.created_at,
            entry.actor_username,
            entry.ip_address,
            labels.get(entry.action, entry.action),
            entry.object_type,
            entry.object_id,
            str(entry.detail),
            entry.entry_hash,
        )
        for entry in entries.iterator(chunk_size=2000)
    )
    filename = f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(filename=filename, title="审计日志", headers=EXPORT_HEADERS, rows=rows)
