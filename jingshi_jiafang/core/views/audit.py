"""The auditor's pages: read and export the audit log, and nothing else."""

from django.contrib import messages
from django.shortcuts import redirect, render

from jingshi_jiafang.core.audit import audit_chain_check, full_verification_alert
from jingshi_jiafang.core.audit_display import audit_rows
from jingshi_jiafang.core.capabilities import may_read_audit_log
from jingshi_jiafang.core.export_jobs import export_start
from jingshi_jiafang.core.filters import AuditEntryFilter
from jingshi_jiafang.core.models import AuditEntry, ExportJob
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required

auditor_only = capability_required(may_read_audit_log, "您的角色无权访问此页面。")


def _filtered(request) -> AuditEntryFilter:
    return AuditEntryFilter(request.GET or None, queryset=AuditEntry.objects.order_by("-id"))


@auditor_only
def audit_list(request):
    entries = _filtered(request)
    context = {"filter": entries, **paginate(request, entries.qs)}
    context["rows"] = audit_rows(context["page"].object_list)
    if request.GET.get("verify") == "1":
        context["chain"] = audit_chain_check(actor=request.user)
    context["full_verification"], context["full_verification_alert"] = full_verification_alert()
    return render(request, "core/audit_list.html", context)


@auditor_only
def audit_export(request):
    """A small selection downloads at once; a large one is written in the background (core/export_jobs.py)."""
    result = export_start(kind=ExportJob.Kind.AUDIT_LOG, params=request.GET.dict(), actor=request.user, request=request)
    if isinstance(result, ExportJob):
        messages.info(request, f"共 {result.rows_expected} 条记录,正在后台生成 Excel,生成后在本页下载。")
        return redirect("core:export_job_list")
    return result
