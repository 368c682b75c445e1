"""Importing a county from the workbooks a bureau already has (jingshi_jiafang/core/imports/).

An `ImportRun` is one uploaded workbook of one kind: first checked (a dry run that writes nothing but its report),
then, once the person who uploaded it confirms, written. Its problems are rows in the database, not in the session
or in memory, so a report of a 600,000-row file is paged and downloaded like any list. Every value an import
changes on an existing record is kept as an `ImportCorrection` (append-only), so a correction is never silent.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from jingshi_jiafang.core.fields import EncryptedCharField
from jingshi_jiafang.core.history import AppendOnly, AppendOnlyQuerySet
from jingshi_jiafang.core.uploads import private_storage


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        UNITS = "units", "单位(公安机关)"
        AREAS = "areas", "区域(镇/乡、村/居)"
        HOUSEHOLDS = "households", "住户"
        ORGANISATIONS = "organisations", "辖区单位"
        USERS = "users", "用户账号"
        LINKS = "links", "联系关系"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队检查"
        CHECKING = "checking", "检查中"
        CHECKED = "checked", "已检查,待确认"
        CONFIRMED = "confirmed", "已确认,排队写入"
        WRITING = "writing", "写入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已放弃"

    kind = models.CharField("导入内容", max_length=16, choices=Kind.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="import_runs"
    )
    file = models.FileField("文件", storage=private_storage, upload_to="imports/", max_length=200)
    filename = models.CharField("原文件名", max_length=200)
    sha256 = models.CharField("文件哈希(SHA-256)", max_length=64, db_index=True)
    skip_errors = models.BooleanField("跳过有错误的行", default=False)
    rows_read = models.PositiveIntegerField("已读行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    error_rows = models.PositiveIntegerField("有错误的行", default=0)
    rows_new = models.PositiveIntegerField("新增", default=0)
    rows_changed = models.PositiveIntegerField("更新", default=0)
    rows_unchanged = models.PositiveIntegerField("未变", default=0)
    rows_written = models.PositiveIntegerField("已写入行数", default=0)
    rows_skipped = models.PositiveIntegerField("跳过行数", default=0)
    failure = models.CharField("失败原因", max_length=500, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    # When a worker took the check or the write: one still running past the task time limit lost its worker.
    started_at = models.DateTimeField("开始处理", null=True, blank=True)
    checked_at = models.DateTimeField("检查完成", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    finished_at = models.DateTimeField("写入完成", null=True, blank=True)

    class Meta:
        verbose_name = "导入"
        verbose_name_plural = "导入"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "created_at"], name="importrun_uploader_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("core:import_detail", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.CONFIRMED, self.Status.WRITING)

    @property
    def good_rows(self) -> int:
        return self.rows_total - self.error_rows

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0 if self.in_progress else 100
        done = self.rows_written + self.rows_skipped if self.status == self.Status.WRITING else self.rows_read
        return min(100, done * 100 // self.rows_total)

    @property
    def may_confirm(self) -> bool:
        """Confirmable once checked, with something to write."""
        return self.status == self.Status.CHECKED and self.good_rows > 0


class ImportProblem(models.Model):
    """One thing wrong with one row (or the header) of an uploaded workbook, in words the uploader can act on."""

    run = models.ForeignKey(ImportRun, verbose_name="导入", on_delete=models.CASCADE, related_name="problems")
    row_number = models.PositiveIntegerField("行号")
    record_key = models.CharField("户号/代码/用户名", max_length=64, blank=True)
    column = models.CharField("列", max_length=32, blank=True)
    message = models.CharField("问题", max_length=300)

    class Meta:
        verbose_name = "导入问题"
        verbose_name_plural = "导入问题"
        ordering = ["run_id", "row_number", "id"]
        indexes = [models.Index(fields=["run", "row_number"], name="importproblem_run_row_idx")]

    def __str__(self) -> str:
        return f"第{self.row_number}行 {self.column}: {self.message}"


class ImportChange(models.Model):
    """A value the dry run found changed on an existing record: what confirming would overwrite, shown on the
    check page and in its report before anything is written. Encrypted like the corrections it foretells; the
    write run replaces these with `ImportCorrection` rows."""

    run = models.ForeignKey(ImportRun, verbose_name="导入", on_delete=models.CASCADE, related_name="changes")
    row_number = models.PositiveIntegerField("行号")
    object_type = models.CharField("对象类型", max_length=64)
    record_key = models.CharField("户号/代码/用户名", max_length=64)
    field = models.CharField("字段", max_length=32)
    old_value = EncryptedCharField("原值", blank=True)
    new_value = EncryptedCharField("新值", blank=True)

    class Meta:
        verbose_name = "导入将更新的值"
        verbose_name_plural = "导入将更新的值"
        ordering = ["run_id", "row_number", "id"]
        indexes = [models.Index(fields=["run", "row_number"], name="importchange_run_row_idx")]

    def __str__(self) -> str:
        return f"{self.record_key} {self.field}"


class ImportCorrection(AppendOnly, models.Model):
    """A value an import changed on an existing record: what it was, what the workbook says now. The values are
    encrypted, as an ID number in them must be everywhere at rest."""

    run = models.ForeignKey(ImportRun, verbose_name="导入", on_delete=models.PROTECT, related_name="corrections")
    row_number = models.PositiveIntegerField("行号")
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    record_key = models.CharField("户号/代码/用户名", max_length=64)
    field = models.CharField("字段", max_length=32)
    old_value = EncryptedCharField("原值", blank=True)
    new_value = EncryptedCharField("新值", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "导入更正"
        verbose_name_plural = "导入更正"
        ordering = ["run_id", "row_number", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="importcorrection_object_idx")]

    def __str__(self) -> str:
        return f"{self.record_key} {self.field}"
