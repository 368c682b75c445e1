from django.conf import settings
from django.db import models
from django.urls import reverse

from jingshi_jiafang.core.uploads import private_storage, random_upload_path

from .organisation import Household


class HouseholdAttachment(models.Model):
    """A photo or scan kept with a household, e.g. the registration page behind a data correction."""

    household = models.ForeignKey(Household, verbose_name="户", on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT)
    file = models.FileField("文件", storage=private_storage, upload_to=random_upload_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=64)
    size = models.PositiveIntegerField("大小(字节)")
    description = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "住户附件"
        verbose_name_plural = "住户附件"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("households:attachment_download", args=[self.pk])
