"""The coverage page's counts, kept by an hourly job (visits/coverage.py): counting 600,000 households and a
quarter's visits on every load of a county-wide page is what made it take seconds."""

from django.db import models

from jingshi_jiafang.core.models import Area


class CoverageCount(models.Model):
    """A village's households when the counts were last kept."""

    village = models.OneToOneField(Area, verbose_name="村/居", on_delete=models.CASCADE, related_name="coverage_count")
    households = models.PositiveIntegerField("住户")
    never_visited = models.PositiveIntegerField("从未走访")
    counted_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = "走访覆盖计数"
        verbose_name_plural = "走访覆盖计数"

    def __str__(self) -> str:
        return f"{self.village_id} {self.households}"


class CoverageDay(models.Model):
    """How many of a village's households were last visited on `day` or later: one row per day on which some
    household's latest visit fell. "Visited since D" is the first row on or after D, "overdue since D" the
    households less that: one index probe per village, whatever the period asked."""

    village = models.ForeignKey(Area, verbose_name="村/居", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    visited_since = models.PositiveIntegerField("此日及以后走访过的住户")

    class Meta:
        verbose_name = "走访覆盖日累计"
        verbose_name_plural = "走访覆盖日累计"
        constraints = [models.UniqueConstraint(fields=["village", "day"], name="coverageday_once_per_day")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.day} {self.visited_since}"
