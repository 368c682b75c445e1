"""结对联建: the weekly contacts a leader or cadre keeps with their paired household. The pair itself is a link of
the platform (core PairingLink); its visits are visits of the kind 结对走访 (visits app)."""

from django.conf import settings
from django.db import models

from jingshi_jiafang.core.models import PairingLink

# A line someone writes after a phone call, not a report.
CONTACT_NOTE_LENGTH = 200


class PairingContact(models.Model):
    class Method(models.TextChoices):
        PHONE = "phone", "电话"
        WECHAT = "wechat", "微信"
        IN_PERSON = "in_person", "当面"
        OTHER = "other", "其他"

    pairing = models.ForeignKey(PairingLink, verbose_name="结对", on_delete=models.PROTECT, related_name="contacts")
    date = models.DateField("联系日期")
    method = models.CharField("联系方式", max_length=12, choices=Method.choices, default=Method.PHONE)
    note = models.CharField("联系内容", max_length=CONTACT_NOTE_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "结对联系"
        verbose_name_plural = "结对联系"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["pairing", "date"], name="pairingcontact_pair_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_method_display()} {self.pairing}"
