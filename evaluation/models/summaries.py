"""Summary tables behind the leadership dashboard: one row per village and day, and one per unit and day, of
counts the daily job rebuilds from the source tables (evaluation/services/summaries.py).

The dashboard of a county's two years reads a few thousand of these rows and sums them in SQL; it never reads
the half a million visits behind them. A row holds counts only, so every figure is a SUM over days and areas,
with one exception made summable on purpose: distinct households visited. The households visited in a village
over a month are not the sum of the households visited on each day (a household visited twice is one household),
so each row also counts, for n from 1 to 12, the households whose visit that day is their first in the n calendar
months ending with the day's month (`households_first_of_month`, then `households_first_of_2_months` …
`households_first_of_12_months`). A household visited in a run of months is counted once, in the first month it
was visited: summing over the run's first month the 1-month column, over its second month the 2-month column, and
so on, gives the run's distinct households — for a month, a year, or any run of up to twelve months.

What counts on which day, and why:
- visits, corrections and findings: the day of the visit (`visited_at` in Asia/Shanghai); a visit entered
  late (补录) changes an old day, which `summaries_refresh_for` rebuilds when it is saved. The four kinds of 家访
  count visits to households (the method's figures); a visit to an organisation (单位走访) counts in
  `visits_organisation` only;
- night plans: the planned evening; "missed" only once that evening is past (the refresh of the next morning);
- matters received: the day registered, by topic (the legal department's category; blank = not yet classified);
- matters and ledger items closed: the day of the closing step in their append-only history, so a reopened item
  keeps the closure of its first day and counts again on the day it is closed again;
- callbacks: the day of the call (made, reached, given up) and the day of the result (confirmed, denied,
  satisfaction), so the row of yesterday is final when the morning job runs.
- complex problems solved (解决复杂问题): a visit's finding of that kind (a problem the visitor solved on the
  spot), plus a ledger item closed (销号) that came from a resident's matter, an echo card, the talk room or a
  topic visit — a problem that needed the flow of a matter and a ledger to be solved, as against a visit's
  promise or a pairing deed, which are counted as ledger items closed but not as complex problems.

A matter or ledger item without a household has no village: it counts in its unit's row and not in any village's.
"""

from django.db import models

from jingshi_jiafang.core.models import Area, Unit

# The longest run of months whose distinct households the tables can give (see the docstring): a year.
RUN_MONTHS = 12


def first_visits_field(months: int) -> str:
    """The column of households whose visit that day is their first in the `months` calendar months ending with
    the day's month."""
    return "households_first_of_month" if months == 1 else f"households_first_of_{months}_months"


# The counted columns, shared by both tables, in the order the refresh fills them.
COUNT_FIELDS = (
    "visits_day",
    "visits_night",
    "visits_topic",
    "visits_pairing",
    "visits_organisation",
    "households_visited",
    *(first_visits_field(n) for n in range(1, RUN_MONTHS + 1)),
    "corrections",
    "disputes_found",
    "disputes_mediated",
    "problems_solved_on_visit",
    "problems_solved_in_ledger",
    "stability_info",
    "case_clues",
    "night_plans",
    "night_kept",
    "night_missed",
    "matters_received",
    "matters_public_security",
    "matters_law_enforcement",
    "matters_force_conduct",
    "matters_litigation",
    "matters_other",
    "matters_unclassified",
    "matters_closed_on_time",
    "matters_closed_late",
    "callbacks_made",
    "callbacks_reached",
    "callbacks_given_up",
    "callbacks_confirmed",
    "callbacks_denied",
    "satisfied",
    "fairly_satisfied",
    "not_satisfied",
    "ledger_closed_on_time",
    "ledger_closed_late",
)

LABELS = {
    "visits_day": "昼访",
    "visits_night": "夜访",
    "visits_topic": "专题家访",
    "visits_pairing": "结对走访",
    "visits_organisation": "单位走访",
    "households_visited": "当日走访户数",
    **{first_visits_field(n): f"近{n}个月首次走访户数" for n in range(2, RUN_MONTHS + 1)},
    "households_first_of_month": "当月首次走访户数",
    "corrections": "整改户籍数据",
    "disputes_found": "发现矛盾纠纷",
    "disputes_mediated": "当场调解纠纷",
    "problems_solved_on_visit": "走访解决复杂问题",
    "problems_solved_in_ledger": "台账销号解决复杂问题",
    "stability_info": "维稳信息",
    "case_clues": "破案线索",
    "night_plans": "夜访安排",
    "night_kept": "夜访按时",
    "night_missed": "夜访未落实",
    "matters_received": "受理诉求",
    "matters_public_security": "治安防范",
    "matters_law_enforcement": "执法服务",
    "matters_force_conduct": "队伍建设",
    "matters_litigation": "涉法涉诉",
    "matters_other": "其他",
    "matters_unclassified": "未分类",
    "matters_closed_on_time": "诉求按期办结",
    "matters_closed_late": "诉求超期办结",
    "callbacks_made": "回访拨打",
    "callbacks_reached": "回访接通",
    "callbacks_given_up": "回访联系不上",
    "callbacks_confirmed": "走访属实",
    "callbacks_denied": "虚假走访",
    "satisfied": "满意",
    "fairly_satisfied": "基本满意",
    "not_satisfied": "不满意",
    "ledger_closed_on_time": "台账按期销号",
    "ledger_closed_late": "台账超期销号",
}


class DaySummary(models.Model):
    day = models.DateField("日期")

    class Meta:
        abstract = True


for _name in COUNT_FIELDS:
    DaySummary.add_to_class(_name, models.PositiveIntegerField(LABELS[_name], default=0))


class VillageDaySummary(DaySummary):
    village = models.ForeignKey(Area, verbose_name="村/居", on_delete=models.CASCADE, related_name="+")
    # The village's town, copied so that bars by town group one table; the refresh rewrites it.
    town = models.ForeignKey(Area, verbose_name="镇/乡", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "村/居日汇总"
        verbose_name_plural = "村/居日汇总"
        ordering = ["day", "village_id"]
        constraints = [
            models.UniqueConstraint(fields=["village", "day"], name="villagedaysummary_once_per_day"),
        ]
        indexes = [
            models.Index(fields=["day", "town"], name="villagedaysummary_day_town_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.day}"


class VillageMonthSummary(models.Model):
    """A village's day rows of one month, summed: what the dashboard reads, since its periods are whole months. A
    county's year of trend is 300 villages × 12 months of these instead of 300 × 365 day rows. Rebuilt from the
    day rows whenever they are (`summaries_refresh_*`), so the two never disagree."""

    month = models.DateField("月份")  # its first day
    village = models.ForeignKey(Area, verbose_name="村/居", on_delete=models.CASCADE, related_name="+")
    town = models.ForeignKey(Area, verbose_name="镇/乡", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "村/居月汇总"
        verbose_name_plural = "村/居月汇总"
        ordering = ["month", "village_id"]
        constraints = [
            models.UniqueConstraint(fields=["village", "month"], name="villagemonthsummary_once_per_month"),
        ]
        indexes = [models.Index(fields=["month", "town"], name="villagemonthsummary_month_idx")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.month:%Y-%m}"


class UnitDaySummary(DaySummary):
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "单位日汇总"
        verbose_name_plural = "单位日汇总"
        ordering = ["day", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="unitdaysummary_once_per_day"),
        ]
        indexes = [models.Index(fields=["day"], name="unitdaysummary_day_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


for _name in COUNT_FIELDS:
    VillageMonthSummary.add_to_class(_name, models.PositiveIntegerField(LABELS[_name], default=0))
