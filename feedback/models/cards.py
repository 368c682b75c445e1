"""Echo cards (警民联心回音卡): numbered by the issuing unit, unique and without gaps, never reused."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from jingshi_jiafang.core.history import AppendOnly, AppendOnlyQuerySet
from jingshi_jiafang.core.models import Household, Unit
from visits.models import Visit


class CardSequence(models.Model):
    """The next number a unit will give a card in a year. Locked while a batch is issued, so two people issuing
    at the same moment get consecutive ranges."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    next_value = models.PositiveIntegerField("下一个序号", default=1)

    class Meta:
        verbose_name = "回音卡序号"
        verbose_name_plural = "回音卡序号"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="cardsequence_one_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.next_value}"


class CardBatch(models.Model):
    unit = models.ForeignKey(Unit, verbose_name="发卡单位", on_delete=models.PROTECT, related_name="card_batches")
    year = models.PositiveSmallIntegerField("年度")
    first_sequence = models.PositiveIntegerField("起始序号")
    count = models.PositiveIntegerField("张数")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制卡人", on_delete=models.PROTECT)
    created_at = models.DateTimeField("制卡时间", auto_now_add=True)
    # The issue form's key: the same form sent twice (a double tap, a resend) is the same batch. Empty for batches
    # issued by code (the demo, the bench).
    submission_key = models.UUIDField("提交标识", unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "回音卡批次"
        verbose_name_plural = "回音卡批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} 第{self.first_sequence}–{self.last_sequence}号"

    def get_absolute_url(self) -> str:
        return reverse("feedback:card_batch_print", args=[self.pk])

    @property
    def last_sequence(self) -> int:
        return self.first_sequence + self.count - 1


class EchoCard(models.Model):
    class State(models.TextChoices):
        IN_STOCK = "in_stock", "库存"
        HANDED_OUT = "handed_out", "已发放"
        ECHOED = "echoed", "已回音"
        VOIDED = "voided", "已作废"

    batch = models.ForeignKey(CardBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="cards")
    unit = models.ForeignKey(Unit, verbose_name="发卡单位", on_delete=models.PROTECT, related_name="echo_cards")
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("卡号", max_length=40, unique=True)
    verification_code = models.CharField("验证码", max_length=8)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.IN_STOCK)
    household = models.ForeignKey(
        Household, verbose_name="发放给", null=True, blank=True, on_delete=models.PROTECT, related_name="echo_cards"
    )
    visit = models.ForeignKey(
        Visit, verbose_name="发放时的家访", null=True, blank=True, on_delete=models.PROTECT, related_name="echo_cards"
    )
    handed_out_at = models.DateTimeField("发放时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "回音卡"
        verbose_name_plural = "回音卡"
        ordering = ["unit_id", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "sequence"], name="echocard_unique_sequence"),
        ]
        indexes = [models.Index(fields=["unit", "state"], name="echocard_unit_state_idx")]

    def __str__(self) -> str:
        return self.number


class EchoCardEvent(AppendOnly, models.Model):
    """Append-only history of a card: handed out, echoed, voided, with who, when and a note."""

    card = models.ForeignKey(EchoCard, verbose_name="回音卡", on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField("原状态", max_length=16, choices=EchoCard.State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=16, choices=EchoCard.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "回音卡记录"
        verbose_name_plural = "回音卡记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.card} {self.from_state} → {self.to_state}"
