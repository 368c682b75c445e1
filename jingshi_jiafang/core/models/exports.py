"""Excel exports too large to build inside a request: written by a Celery job into private storage, fetched by
the person who asked for them (jingshi_jiafang/core/export_jobs.py)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from jingshi_jiafang.core.uploads import private_storage


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        AUDIT_LOG = "audit_log", "审计日志"
        MONTHLY_REPORT = "monthly_report", "月度分类报表"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        READY = "ready", "可下载"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    kind = models.CharField("内容", max_length=32, choices=Kind.choices)
    params = models.JSONField("筛选条件", default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="export_jobs"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField("文件", storage=private_storage, upload_to="exports/", max_length=200, blank=True)
    filename = models.CharField("下载文件名", max_length=200)
    rows_expected = models.PositiveIntegerField("预计行数", default=0)
    row_count = models.PositiveIntegerField("已写行数", default=0)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    # When a worker took it: a job running far longer than any task may has lost its worker (export_job_run).
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="exportjob_requester_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("core:export_job_download", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return min(99, self.row_count * 100 // self.rows_expected) if self.rows_expected else 0

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
