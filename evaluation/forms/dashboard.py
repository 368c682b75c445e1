"""The dashboard's period: a month (default this month), a year, or a run of whole months."""

from django import forms
from django.utils import timezone

from evaluation.selectors.dashboard import Period
from jingshi_jiafang.core.dates import MonthField, earliest_date


class DashboardPeriodForm(forms.Form):
    period = forms.ChoiceField(
        label="统计周期",
        required=False,
        choices=[("month", "按月"), ("year", "按年"), ("range", "自定义月份")],
    )
    month = MonthField(label="月份", required=False)
    year = forms.IntegerField(label="年份", required=False, error_messages={"invalid": "请输入有效的年份,如 2026。"})
    start = MonthField(label="起始月份", required=False)
    end = MonthField(label="截止月份", required=False)

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else {}
        # The query string says `from` and `to`, as every other page's period does.
        for name, key in (("start", "from"), ("end", "to")):
            if key in data:
                data[name] = data[key]
        super().__init__(data, **kwargs)
        self.first_year, self.last_year = earliest_date().year, timezone.localdate().year

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("period") or "month"
        year = cleaned.get("year")
        if kind == "year" and not year and "year" not in self.errors:  # not twice after "请输入有效的年份"
            self.add_error("year", "请选择年份。")
        elif year and not self.first_year <= year <= self.last_year:
            self.add_error("year", f"年份应在 {self.first_year} 至 {self.last_year} 之间。")
        if kind == "range":
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                self.add_error("start", "请选择起始和截止月份。")
            elif start > end:
                self.add_error("end", "起始月份不能晚于截止月份。")
        # A month to come has no figures yet: said so, rather than a page of zeros asking for refresh_summaries.
        this_month = timezone.localdate().replace(day=1)
        chosen = {"month": ["month"], "range": ["start", "end"]}.get(kind, [])
        for name in chosen:
            month = cleaned.get(name)
            if month and month > this_month:
                latest = f"{this_month.year}年{this_month.month}月"
                self.add_error(name, f"{month.year}年{month.month}月还没有到,请选择{latest}或之前的月份。")
        return cleaned

    def chosen_period(self) -> Period:
        """The asked period, or this month when none was asked or what was asked is not valid."""
        if not self.is_valid():
            return Period.this_month()
        data = self.cleaned_data
        kind = data.get("period") or "month"
        if kind == "year":
            return Period.year(data["year"])
        if kind == "range":
            return Period.months(data["start"], data["end"])
        return Period.month(data["month"]) if data.get("month") else Period.this_month()

    def errors_text(self) -> list[str]:
        return [error for errors in self.errors.values() for error in errors]
