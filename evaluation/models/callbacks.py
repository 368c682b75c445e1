"""Next-day callbacks (次日回访): the evaluation centre calls a household back the day after a visit, or after a
matter or ledger item was closed, and asks whether it happened and whether they are satisfied."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from feedback.models import Matter
from jingshi_jiafang.core.models import Area, Household, Unit
from ledger.models import LedgerItem
from visits.models import Visit

COMMENT_MAX_LENGTH = 1000
ATTEMPT_NOTE_MAX_LENGTH = 200
# Not reached on the first day: tried again on each of the next two days, then given up and counted.
MAX_ATTEMPTS = 3


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    FAIRLY_SATISFIED = "fairly_satisfied", "基本满意"
    NOT_SATISFIED = "not_satisfied", "不满意"


class Callback(models.Model):
    """One callback per source: the job that creates them can run twice for a date and make nothing new."""

    class Source(models.TextChoices):
        VISIT = "visit", "走访"  # of a household or an organisation (单位走访): its callback checks it happened
        MATTER = "matter", "诉求办结"
        LEDGER_ITEM = "ledger_item", "台账销号"

    class State(models.TextChoices):
        DUE = "due", "待回访"
        DONE = "done", "已回访"
        GIVEN_UP = "given_up", "联系不上"

    class VisitCheck(models.TextChoices):
        CONFIRMED = "confirmed", "属实"
        DENIED = "denied", "未走访(虚假走访)"

    source = models.CharField("回访对象", max_length=16, choices=Source.choices)
    visit = models.OneToOneField(
        Visit, verbose_name="走访", null=True, blank=True, on_delete=models.PROTECT, related_name="callback"
    )
    # A matter or item reopened and closed again is called back again, once per closing day.
    matter = models.ForeignKey(
        Matter,
        verbose_name="诉求",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_callbacks",
    )
    ledger_item = models.ForeignKey(
        LedgerItem, verbose_name="台账事项", null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    # Who is asked, whose work is checked, where: copied from the source when the callback is made, so queues,
    # scopes, scores and the dashboard's summaries read one table.
    household = models.ForeignKey(
        Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    village = models.ForeignKey(
        Area, verbose_name="村/居", null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    unit = models.ForeignKey(Unit, verbose_name="被回访单位", on_delete=models.PROTECT, related_name="callbacks")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="被回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checked_by_callbacks",
        help_text="走访的民警、办理诉求或兑现台账的人。",
    )
    source_date = models.DateField("走访/办结日期", db_index=True)
    due_date = models.DateField("回访日期", db_index=True)
    attempts = models.PositiveSmallIntegerField("已拨打次数", default=0)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DUE)
    visit_check = models.CharField("走访核实", max_length=16, choices=VisitCheck.choices, blank=True)
    satisfaction = models.CharField("满意度", max_length=16, choices=Satisfaction.choices, blank=True)
    comment = models.TextField("群众意见", blank=True, max_length=COMMENT_MAX_LENGTH)
    new_matter = models.OneToOneField(
        Matter,
        verbose_name="转为诉求",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raised_by_callback",
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks_done",
    )
    done_at = models.DateTimeField("回访完成时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "次日回访"
        verbose_name_plural = "次日回访"
        ordering = ["due_date", "source_date", "id"]
        indexes = [
            models.Index(fields=["state", "due_date"], name="callback_queue_idx"),
            models.Index(fields=["village", "source_date"], name="callback_village_day_idx"),
            models.Index(fields=["unit", "source_date"], name="callback_unit_day_idx"),
            models.Index(fields=["worker", "source_date"], name="callback_worker_day_idx"),
            # An evaluator's callbacks done today (the queue's comments to raise): one evaluator does most of a
            # county's callbacks, so done_by alone would read all they ever did.
            models.Index(fields=["done_by", "done_at"], name="callback_done_by_time_idx"),
        ]
        constraints = [
            # Exactly one source, named by `source`.
            models.CheckConstraint(
                condition=(
                    Q(source="visit", visit__isnull=False, matter__isnull=True, ledger_item__isnull=True)
                    | Q(source="matter", visit__isnull=True, matter__isnull=False, ledger_item__isnull=True)
                    | Q(source="ledger_item", visit__isnull=True, matter__isnull=True, ledger_item__isnull=False)
                ),
                name="callback_one_source",
            ),
            models.UniqueConstraint(
                fields=["matter", "source_date"],
                condition=Q(matter__isnull=False),
                name="callback_once_per_matter_close",
            ),
            models.UniqueConstraint(
                fields=["ledger_item", "source_date"],
                condition=Q(ledger_item__isnull=False),
                name="callback_once_per_item_close",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(done_by__isnull=False, done_at__isnull=False),
                name="callback_done_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(visit_check="") | ~Q(source="visit") | ~Q(state="done"),
                name="callback_visit_done_is_checked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}回访 {self.source_date:%Y-%m-%d}"

    @property
    def is_false_visit(self) -> bool:
        return self.visit_check == self.VisitCheck.DENIED

    @property
    def reopened_its_source(self) -> bool:
        """不满意 with a matter or ledger item: the comment went back with it, as the reason it was reopened."""
        return self.source != self.Source.VISIT and self.satisfaction == Satisfaction.NOT_SATISFIED


class CallbackAttempt(models.Model):
    """Every call made, reached or not: the callback's history, and what the callback-rate figures count."""

    callback = models.ForeignKey(Callback, verbose_name="回访", on_delete=models.PROTECT, related_name="history")
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回访人", on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField("拨打时间", db_index=True)
    call_date = models.DateField("拨打日期", db_index=True)
    reached = models.BooleanField("已联系上")
    gave_up = models.BooleanField("放弃回访", default=False, help_text="连续三天联系不上。")
    note = models.CharField("情况", max_length=ATTEMPT_NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["called_at", "id"]
        indexes = [models.Index(fields=["caller", "call_date"], name="callbackattempt_caller_day_idx")]
        constraints = [
            # One call per callback per day: a double tap records one attempt.
            models.UniqueConstraint(fields=["callback", "call_date"], name="callbackattempt_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.call_date:%Y-%m-%d} {'已联系上' if self.reached else '未联系上'}"
