"""Dates people type: one window around today for every date a page or form accepts, and inputs that a browser's
date picker can fill (ISO values; zh-hans would otherwise render 2026/11/29, which `<input type=date>` rejects).
Out-of-range dates are refused with a message instead of overflowing in date arithmetic or the database."""

import re
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

ISO_DATE = "%Y-%m-%d"
ISO_MINUTE = "%Y-%m-%dT%H:%M"
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def earliest_date() -> date:
    return timezone.localdate() - timedelta(days=settings.DATE_WINDOW_PAST_DAYS)


def latest_date() -> date:
    return timezone.localdate() + timedelta(days=settings.DATE_WINDOW_FUTURE_DAYS)


def out_of_window(first: date, last: date) -> str:
    return f"日期超出范围,请选择 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间的日期。"


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)


class BoundedDateField(forms.DateField):
    """An ISO date inside [first, last] (by default the window around today, read when the form is made)."""

    widget = IsoDateInput

    def __init__(self, *, first: date | None = None, last: date | None = None, **kwargs):
        kwargs.setdefault("input_formats", [ISO_DATE])
        kwargs.setdefault("error_messages", {"invalid": "请输入有效的日期,如 2026-01-31。"})
        super().__init__(**kwargs)
        self.first, self.last = first or earliest_date(), last or latest_date()
        self.widget.attrs.update(min=self.first.isoformat(), max=self.last.isoformat())

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.first <= value <= self.last:
            raise forms.ValidationError(out_of_window(self.first, self.last), code="date_window")


class MonthField(forms.Field):
    """YYYY-MM as `<input type=month>` sends it, as the first day of that month, inside the window."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value) -> date | None:
        if value in self.empty_values:
            return None
        match = _MONTH.match(str(value).strip())
        try:
            month = date(int(match[1]), int(match[2]), 1) if match else None
        except ValueError:
            month = None
        if month is None:
            raise forms.ValidationError("请输入有效的月份,如 2026-01。", code="invalid")
        first, last = earliest_date().replace(day=1), latest_date()
        if not first <= month <= last:
            raise forms.ValidationError(out_of_window(first, last), code="date_window")
        return month

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class DateTimeMinuteInput(forms.DateTimeInput):
    """`<input type=datetime-local>` with the ISO value it needs."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_MINUTE)


def local_minute(moment: datetime) -> str:
    return timezone.localtime(moment).strftime(ISO_MINUTE)


def recent_date_error(day: date, *, past_days: int, day_label: str, record: str) -> str | None:
    """A record of something done on `day` (a contact, an activity, a check): never in the future, and written up
    within `past_days` days — enough for a busy week, too little to fill a year of missed work in at once."""
    today = timezone.localdate()
    if day > today:
        return f"{day_label}不能晚于今天。"
    if day < today - timedelta(days=past_days):
        return f"只能补记 {past_days} 天内的{record}。"
    return None


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or, negative, before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from the month of `first` to that of `last`, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of the month of `month` and of the month after, in the bureau's time zone."""
    zone = timezone.get_default_timezone()
    first = month.replace(day=1)
    return datetime.combine(first, time.min, zone), datetime.combine(add_months(first, 1), time.min, zone)


def midnight(day: date) -> datetime:
    """The first moment of `day` in the bureau's time zone; days first..last are [midnight(first), midnight(last+1))."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def due_visit_cutoff() -> datetime:
    """A household or organisation last visited before this moment is due a visit (到期, 超 VISIT_OVERDUE_DAYS 天):
    the first moment of the day that many days ago, as 走访覆盖 counts it. By the day, not the minute: the list
    says a visit was "90 天前" by the day, and an officer's own list is kept per day and query
    (core/household_list_cache.py): with a cutoff moving by the minute, a household crossed it in the afternoon,
    and the home page counted it while the 到期 list kept since the morning left it out."""
    return midnight(timezone.localdate() - timedelta(days=settings.VISIT_OVERDUE_DAYS))
