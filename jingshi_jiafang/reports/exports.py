"""The monthly report as a kind of export: started from the legal department's page, written by core's export
job into private storage, followed on 我的导出, downloaded and audited like every export."""

from django.http import FileResponse

from jingshi_jiafang.core.capabilities import may_export_monthly_report
from jingshi_jiafang.core.export_jobs import ExportKind, export_start, register_export_kind
from jingshi_jiafang.core.models import ExportJob, User
from jingshi_jiafang.reports.monthly import ReportScope, monthly_report_count, monthly_report_write, report_scope

MONTHLY_REPORT = ExportKind(
    title="月度分类报表",
    may=may_export_monthly_report,
    count=monthly_report_count,
    write=monthly_report_write,
    filename=lambda title, params: report_scope(params).filename,
    # Several sheets that people wait for anyway: always a job, followed on 我的导出.
    in_request=False,
)


def register() -> None:
    register_export_kind(ExportJob.Kind.MONTHLY_REPORT, MONTHLY_REPORT)


def monthly_report_start(*, scope: ReportScope, actor: User, request=None) -> ExportJob | FileResponse:
    """Queue the report of `scope` for `actor` (audited with the month and the area); the same report asked
    for again while it is being written finds that job."""
    return export_start(kind=ExportJob.Kind.MONTHLY_REPORT, params=scope.params, actor=actor, request=request)
