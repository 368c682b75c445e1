"""The daily review (每日研判): the figures of one day, built the next morning and kept as the record the notice
(通报) is printed from. A frozen snapshot: units and officers are named as they were that day, and a later
correction of the records changes the notice only when an evaluator rebuilds it."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class DailyReview(models.Model):
    day = models.DateField("日期", unique=True)
    # The figures as built (evaluation/services/reviews.py documents every key); read by the notice page only.
    figures = models.JSONField("研判数据")
    built_at = models.DateTimeField("生成时间")
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空时由每日定时任务生成。",
    )
    rebuilt_count = models.PositiveSmallIntegerField("重新生成次数", default=0)

    class Meta:
        verbose_name = "每日研判"
        verbose_name_plural = "每日研判"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} 每日通报"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:review_detail", kwargs={"day": self.day})
