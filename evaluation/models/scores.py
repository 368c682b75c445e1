"""Scores (考核): monthly and annual scores per officer, per cadre and per unit, from weights kept as data.

How each metric is counted, and how the points add up, is written once in `evaluation/selectors/scores.py` and
shown on the ranking page; docs/scores.md says the same in prose. These tables keep the result: one `Score` per
subject and period with its total, and one `ScoreComponent` per metric with the numbers behind it, so the page, the
drill-down and a frozen month read stored figures and never recount.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from jingshi_jiafang.core.models import Area, Unit

TENTH = Decimal("0.1")


class Metric(models.TextChoices):
    VISIT_COVERAGE = "visit_coverage", "访户率"
    NIGHT_COMPLIANCE = "night_compliance", "夜访守时率"
    CALLBACK_CONFIRMED = "callback_confirmed", "回访属实率"
    SATISFACTION = "satisfaction", "满意率"
    MATTERS_ON_TIME = "matters_on_time", "诉求按时办结率"
    LEDGER_ON_TIME = "ledger_on_time", "台账按时销号率"
    PAIRING = "pairing", "结对履职率"
    FALSE_VISITS = "false_visits", "虚假走访"


class SubjectKind(models.TextChoices):
    OFFICER = "officer", "民警"
    CADRE = "cadre", "干部"
    UNIT = "unit", "单位"


class ScoreWeight(models.Model):
    """The weight of a metric for a kind of subject from a month on. A change is a new row valid from a later
    month: the months before keep the weight they were scored with, and a closed month is never rescored by it.
    For 虚假走访 the weight is the points taken off per false visit."""

    metric = models.CharField("指标", max_length=24, choices=Metric.choices)
    subject_kind = models.CharField("考核对象", max_length=8, choices=SubjectKind.choices)
    weight = models.DecimalField("权重(分)", max_digits=5, decimal_places=2)
    valid_from = models.DateField("起始月份", help_text="该月1日起生效。")
    note = models.CharField("调整说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "考核权重"
        verbose_name_plural = "考核权重"
        ordering = ["subject_kind", "metric", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "subject_kind", "valid_from"], name="scoreweight_once_a_month"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="scoreweight_in_range"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_subject_kind_display()} {self.get_metric_display()} {self.weight} ({self.valid_from:%Y-%m}起)"
        )


class ScoreMonth(models.Model):
    """A month of scores: open while the job recomputes it each night, frozen once the evaluation centre closes
    it. Recomputing a closed month is a separate, audited action."""

    month = models.DateField("月份", unique=True, help_text="该月1日。")
    computed_at = models.DateTimeField("最近变动", null=True, blank=True, help_text="最近一次计算改变了分数的时间。")
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关闭人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "考核月份"
        verbose_name_plural = "考核月份"
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_by__isnull=False), name="scoremonth_closed_has_who"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


# Why a subject is listed apart: without households to visit (访户率 has no denominator) the other rates alone
# would put a station head who only closes matters, or a cadre with a pair and no village, above those who visit.
UNRANKED_REASONS = {
    SubjectKind.OFFICER: "本月没有联系户",
    SubjectKind.CADRE: "本月所联系村(居)没有户",
    SubjectKind.UNIT: "辖区村(居)没有户",
}


class Score(models.Model):
    """One subject's score for a month or a year. `user` is the officer or cadre scored; `unit` is the unit scored,
    or the officer's unit (for filtering); `town` where the subject works, for the town filter. A subject with no
    households to visit that month has no total and no rank (不参与排名): it is listed after the ranked ones."""

    class Period(models.TextChoices):
        MONTH = "month", "月度"
        YEAR = "year", "年度"

    period = models.CharField("周期", max_length=8, choices=Period.choices)
    period_start = models.DateField("起始日", help_text="月度为该月1日,年度为1月1日。")
    subject_kind = models.CharField("考核对象", max_length=8, choices=SubjectKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scores",
    )
    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="scores"
    )
    town = models.ForeignKey(
        Area, verbose_name="镇/乡", null=True, blank=True, on_delete=models.PROTECT, related_name="scores"
    )
    total = models.DecimalField(
        "总分", max_digits=7, decimal_places=2, null=True, blank=True, help_text="不参与排名时为空。"
    )
    rank = models.PositiveIntegerField("全县排名", null=True, blank=True, help_text="不参与排名时为空。")
    months = models.PositiveSmallIntegerField("计入月数", default=1)

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["period_start", "subject_kind", F("rank").asc(nulls_last=True), "id"]
        indexes = [models.Index(fields=["period", "period_start", "subject_kind", "rank"], name="score_ranking_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "period_start", "subject_kind", "user"],
                condition=Q(user__isnull=False),
                name="score_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["period", "period_start", "unit"],
                condition=Q(subject_kind="unit"),
                name="score_once_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(subject_kind="unit", user__isnull=True, unit__isnull=False)
                | (~Q(subject_kind="unit") & Q(user__isnull=False)),
                name="score_subject_matches_kind",
            ),
            models.CheckConstraint(condition=Q(total__lte=100), name="score_total_at_most_100"),
            models.CheckConstraint(
                condition=Q(total__isnull=True, rank__isnull=True) | Q(total__isnull=False, rank__isnull=False),
                name="score_ranked_iff_total",
            ),
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=12), name="score_months_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.period_label} {self.total if self.is_ranked else '不参与排名'}"

    @property
    def is_ranked(self) -> bool:
        return self.rank is not None

    @property
    def unranked_reason(self) -> str:
        return "" if self.is_ranked else UNRANKED_REASONS[self.subject_kind]

    @property
    def subject(self):
        return self.unit if self.subject_kind == SubjectKind.UNIT else self.user

    @property
    def period_label(self) -> str:
        if self.period == self.Period.YEAR:
            return f"{self.period_start.year}年"
        return f"{self.period_start.year}年{self.period_start.month}月"


class ScoreComponent(models.Model):
    """One metric of a score: numerator and denominator as counted, the rate (empty when there was nothing to
    count: 无数据), the weight it was scored with and the points it gave."""

    score = models.ForeignKey(Score, verbose_name="得分", on_delete=models.CASCADE, related_name="components")
    metric = models.CharField("指标", max_length=24, choices=Metric.choices)
    numerator = models.PositiveIntegerField("分子")
    denominator = models.PositiveIntegerField("分母")
    value = models.DecimalField("比率", max_digits=5, decimal_places=4, null=True, blank=True)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)
    points = models.DecimalField("得分", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = "考核分项"
        verbose_name_plural = "考核分项"
        ordering = ["score_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["score", "metric"], name="scorecomponent_once_per_metric"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=1), name="scorecomponent_value_is_a_rate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.points}"

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def percent(self) -> str:
        # From the counts, rounded once: the stored rate is already rounded to four places, and rounding it again
        # showed 52 / 55 (94.545…%) as 94.6%.
        if self.value is None:
            return "无数据"
        rate = Decimal(self.numerator) * 100 / Decimal(self.denominator)
        return f"{rate.quantize(TENTH, rounding=ROUND_HALF_UP)}%"
