from datetime import date, timedelta

from django import forms
from django.utils import timezone

from jingshi_jiafang.core.dates import MonthField
from jingshi_jiafang.core.models import Area
from jingshi_jiafang.reports.monthly import ReportError, ReportScope, parse_area, parse_month


def last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


class MonthlyReportForm(forms.Form):
    month = MonthField(label="月份", help_text="按登记时间统计(北京时间)。")
    area = forms.ChoiceField(label="范围", required=False, help_text="选镇/乡时含该镇各警务室说事厅接待的来访。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()

    def clean_month(self) -> date:
        month = self.cleaned_data["month"]
        try:
            return parse_month(f"{month:%Y-%m}")
        except ReportError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_area(self) -> Area | None:
        try:
            return parse_area(self.cleaned_data["area"])
        except ReportError as error:
            raise forms.ValidationError(str(error)) from None

    @property
    def scope(self) -> ReportScope:
        return ReportScope(month=self.cleaned_data["month"], area=self.cleaned_data["area"])


def area_choices() -> list:
    """全县, then each town (the whole town first, then its villages), in one query."""
    groups: dict[int, tuple[str, list]] = {}
    areas = Area.objects.select_related("parent").order_by("code")
    for area in areas:
        if area.kind == Area.Kind.TOWN:
            groups.setdefault(area.pk, (area.name, []))[1].insert(0, (area.code, f"{area.name}(全镇)"))
        else:
            groups.setdefault(area.parent_id, (area.parent.name, []))[1].append((area.code, area.name))
    return [("", "全县"), *groups.values()]
