"""The legal department's monthly report page: choose a month (and a town or village), see how many matters it
will list, start it; the workbook is written in the background and downloaded from 我的导出."""

from django.contrib import messages
from django.shortcuts import redirect, render

from jingshi_jiafang.core.capabilities import may_export_monthly_report
from jingshi_jiafang.core.export_jobs import ExportError
from jingshi_jiafang.core.permissions import capability_required
from jingshi_jiafang.reports.exports import monthly_report_start
from jingshi_jiafang.reports.forms import MonthlyReportForm, last_month
from jingshi_jiafang.reports.monthly import ReportScope, monthly_preview

legal_only = capability_required(may_export_monthly_report, "月度分类报表由法制部门生成。")


@legal_only
def monthly_report(request):
    if request.method == "POST":
        form = MonthlyReportForm(request.POST)
        if form.is_valid():
            try:
                job = monthly_report_start(scope=form.scope, actor=request.user, request=request)
            except ExportError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, f"正在生成 {form.scope.label} 的月度分类报表(共 {job.rows_expected} 件),生成后在本页下载。"
                )
                return redirect("core:export_job_list")
    else:
        form = MonthlyReportForm(request.GET or None, initial={"month": last_month()})
    scope = None
    if not form.is_bound:
        scope = ReportScope(month=last_month(), area=None)
    elif form.is_valid():
        scope = form.scope
    context = {"form": form, "scope": scope, "preview": monthly_preview(scope) if scope else None}
    return render(request, "reports/monthly_report.html", context, status=200 if scope else 400)
