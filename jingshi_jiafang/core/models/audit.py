"""The audit log: append-only, each entry chained to the one before by a hash (jingshi_jiafang/core/audit.py)."""

from django.conf import settings
from django.db import models


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED_OUT = "locked_out", "账号锁定"
        LOGOUT = "logout", "退出"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        PASSWORD_RESET = "password_reset", "重置密码"
        OTP_ENROLLED = "otp_enrolled", "绑定动态口令"
        OTP_FAILED = "otp_failed", "动态口令错误"
        OTP_RESET = "otp_reset", "重置动态口令"
        USER_CREATED = "user_created", "创建用户"
        ROLE_CHANGED = "role_changed", "变更角色"
        SCOPE_CHANGED = "scope_changed", "变更联系范围"
        REVEAL_ID_NUMBER = "reveal_id_number", "查看完整身份证号"
        REVEAL_PHONE = "reveal_phone", "查看完整电话"
        SEARCH_NUMBER = "search_number", "按号码检索"
        EXPORT = "export", "导出"
        DOWNLOAD = "download", "下载"
        UPLOAD = "upload", "上传"
        IMPORT = "import", "导入"
        STATE_CHANGED = "state_changed", "状态变更"
        DELETED = "deleted", "删除"
        REFERENCE_CREATED = "reference_created", "新增基础数据"
        REFERENCE_CHANGED = "reference_changed", "修改基础数据"

    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True)
    action = models.CharField("操作", max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    detail = models.JSONField("详情", default=dict)
    previous_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["actor_username", "created_at"], name="audit_actor_time_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} {self.actor_username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


class AuditVerification(models.Model):
    """The result of one full walk of the audit chain (the nightly job, `manage.py verify_audit_log`, or the
    auditor's check before the first of them). The auditor's page verifies only from the latest checkpoint on, so
    it reads the last full walk from here."""

    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", db_index=True)
    intact = models.BooleanField("完整")
    checked = models.PositiveIntegerField("已校验条数")
    first_broken_id = models.BigIntegerField("断开处记录编号", null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "审计日志完整校验"
        verbose_name_plural = "审计日志完整校验"
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} {'完整' if self.intact else '断开'}"
