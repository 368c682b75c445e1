from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from jingshi_jiafang.core.dates import BoundedDateField, MonthField
from jingshi_jiafang.core.models import Area, Unit
from visits.models import Finding
from visits.night import week_start


class PeriodFilterForm(forms.Form):
    """The one reader of a period in a query string, for every page: `from`/`to` (a range of days), `week` (any
    day of the week) and `month` (YYYY-MM). A value that is not a date, or lies outside the window around today,
    is not used: the page falls back to its default and shows `errors_text()`."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data or {}, **kwargs)
        self.fields["from"] = BoundedDateField(label="起", required=False)
        self.fields["to"] = BoundedDateField(label="止", required=False)
        self.fields["week"] = BoundedDateField(label="周", required=False)
        self.fields["month"] = MonthField(label="月份", required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "起始日期不能晚于截止日期。")
            cleaned.pop("from", None)
        return cleaned

    def period(self, *, default_days: int) -> tuple[date, date]:
        """The first and last day (both included); by default the last `default_days` days up to today."""
        end = self.value("to") or timezone.localdate()
        start = self.value("from") or end - timedelta(days=default_days - 1)
        return start, end

    def week(self, default: date | None = None) -> date:
        """The Monday of the asked week; without one, of the week of `default` (today unless given)."""
        return week_start(self.value("week") or default or timezone.localdate())

    def month(self) -> date | None:
        return self.value("month")

    def value(self, name: str):
        """The cleaned value of `name`, or None when it was not given or not valid."""
        return self.cleaned_data.get(name) if self.errors is not None else None

    def errors_text(self) -> list[str]:
        return [error for errors in self.errors.values() for error in errors]


class DiaryFilterForm(PeriodFilterForm):
    """The diary's month, and the area filter a dashboard links with: `area` (a village or town in reach) with
    `from`/`to`, `visited` (households or organisations: the dashboard counts them apart), `finding` (a kind of
    finding) and `corrections`."""

    area = forms.ModelChoiceField(label="区域", queryset=Area.objects.none(), required=False)
    visited = forms.ChoiceField(
        label="走访对象", required=False, choices=[("", "全部"), ("household", "住户"), ("organisation", "单位")]
    )
    finding = forms.ChoiceField(label="发现", required=False, choices=[("", "全部"), *Finding.Kind.choices])
    corrections = forms.BooleanField(label="整改户籍数据", required=False)

    def __init__(self, data=None, *, areas: QuerySet[Area], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["area"].queryset = areas


class CoverageFilterForm(PeriodFilterForm):
    """The area (a town or, as a village's dashboard links, a village in reach), the period and the overdue days."""

    area = forms.ModelChoiceField(label="区域", queryset=Area.objects.none(), required=False)
    overdue_days = forms.IntegerField(label="超期天数", required=False, min_value=1, max_value=3650)

    def __init__(self, data=None, *, areas: QuerySet[Area], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["area"].queryset = areas

    def overdue_days_or_default(self) -> int:
        return self.value("overdue_days") or settings.VISIT_OVERDUE_DAYS


class NightComplianceFilterForm(PeriodFilterForm):
    """A unit's week, or the area filter a dashboard links with: `area` (a village or town in reach) with
    `from`/`to`."""

    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False)
    area = forms.ModelChoiceField(label="区域", queryset=Area.objects.none(), required=False)

    def __init__(self, data=None, *, units: QuerySet[Unit], areas: QuerySet[Area], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["area"].queryset = areas
