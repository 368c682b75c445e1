"""The person who asked for a large export watches it being written here and downloads it when it is ready."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from jingshi_jiafang.core.export_jobs import export_job_download as download_job
from jingshi_jiafang.core.export_jobs import export_jobs_of, get_export_job_for_user
from jingshi_jiafang.core.models import ExportJob

RECENT_JOBS = 20


@login_required
def export_job_list(request):
    jobs = list(export_jobs_of(request.user)[:RECENT_JOBS])
    context = {
        "jobs": jobs,
        "refresh": any(job.in_progress for job in jobs),
        "sync_max_rows": settings.EXPORT_SYNC_MAX_ROWS,
        "retention_days": settings.EXPORT_RETENTION_DAYS,
    }
    return render(request, "core/export_job_list.html", context)


@login_required
def export_job_download(request, pk: int):
    job = get_export_job_for_user(request.user, pk)
    if job.status != ExportJob.Status.READY:
        raise Http404("该导出还没有生成好,或文件已过期删除。")
    return download_job(job=job, actor=request.user, request=request)
