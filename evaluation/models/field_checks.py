"""Field checks (实地考核): an evaluator goes to the place and checks a visit or a ledger item on the spot."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from jingshi_jiafang.core.history import AppendOnly, AppendOnlyQuerySet
from jingshi_jiafang.core.models import Area, Household, Unit
from ledger.models import LedgerItem
from visits.models import Visit

FINDINGS_MAX_LENGTH = 2000


class FieldCheck(AppendOnly, models.Model):
    """One on-site check, never changed afterwards. A visit found 不属实 is a false visit (虚假走访) for scores."""

    class Source(models.TextChoices):
        VISIT = "visit", "家访"
        LEDGER_ITEM = "ledger_item", "台账事项"

    class Result(models.TextChoices):
        TRUE = "true", "属实"
        PARTLY_TRUE = "partly_true", "部分属实"
        NOT_TRUE = "not_true", "不属实"

    source = models.CharField("核查对象", max_length=16, choices=Source.choices)
    visit = models.ForeignKey(
        Visit, verbose_name="家访", null=True, blank=True, on_delete=models.PROTECT, related_name="field_checks"
    )
    ledger_item = models.ForeignKey(
        LedgerItem,
        verbose_name="台账事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_checks",
    )
    # Copied from the source when the check is recorded, as callbacks do, so lists, scores and the household
    # timeline read one table.
    household = models.ForeignKey(
        Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT, related_name="field_checks"
    )
    village = models.ForeignKey(
        Area, verbose_name="村/居", null=True, blank=True, on_delete=models.PROTECT, related_name="field_checks"
    )
    unit = models.ForeignKey(Unit, verbose_name="被考核单位", on_delete=models.PROTECT, related_name="field_checks")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="被考核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checked_by_field_checks",
        help_text="走访的民警,或台账事项的责任人。",
    )
    source_date = models.DateField("走访/登记日期", db_index=True)
    place = models.CharField("核查地点", max_length=128)
    check_date = models.DateField("核查日期", db_index=True)
    result = models.CharField("核查结论", max_length=16, choices=Result.choices)
    findings = models.TextField("核查情况", max_length=FINDINGS_MAX_LENGTH)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核查人", on_delete=models.PROTECT, related_name="field_checks_done"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "实地考核"
        verbose_name_plural = "实地考核"
        ordering = ["-check_date", "-pk"]
        indexes = [
            models.Index(fields=["result", "source_date"], name="fieldcheck_result_day_idx"),
            models.Index(fields=["worker", "source_date"], name="fieldcheck_worker_day_idx"),
            models.Index(fields=["unit", "source_date"], name="fieldcheck_unit_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(source="visit", visit__isnull=False, ledger_item__isnull=True)
                    | Q(source="ledger_item", visit__isnull=True, ledger_item__isnull=False)
                ),
                name="fieldcheck_one_source",
            ),
            # A double submit records one check: one per visit, one per ledger item a day.
            models.UniqueConstraint(
                fields=["visit"], condition=Q(visit__isnull=False), name="fieldcheck_once_per_visit"
            ),
            models.UniqueConstraint(
                fields=["ledger_item", "check_date"],
                condition=Q(ledger_item__isnull=False),
                name="fieldcheck_once_per_item_day",
            ),
        ]

    def __str__(self) -> str:
        return f"实地考核 {self.get_source_display()} {self.check_date:%Y-%m-%d} {self.get_result_display()}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:field_check_list") + f"?id={self.pk}"

    @property
    def subject(self):
        return self.visit if self.source == self.Source.VISIT else self.ledger_item

    @property
    def is_false_visit(self) -> bool:
        return self.source == self.Source.VISIT and self.result == self.Result.NOT_TRUE
