import re
from datetime import date, timedelta

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from visits.crypto import keyed_hash
from visits.dates import BoundedDateField, MonthField
from visits.models import Area, AuditEntry, Household, Unit
from visits.night import week_start
from visits.privacy import mask_id_number, mask_phone
from visits.validators import validate_phone

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
_DIGITS = re.compile(r"^\d{3,11}$")
_LAST_FOUR = re.compile(r"^\d{4}$")


def number_search_kind(text: str) -> str | None:
    """What kind of number a search text is, if it is one: such searches are audited."""
    text = text.strip()
    if _ID_LIKE.match(text):
        return "id_number"
    if _LAST_FOUR.match(text):
        return "phone_last_four"
    try:
        validate_phone(text)
    except ValidationError:
        return None
    return "phone"


def search_households(queryset: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Name and address by substring; a phone only in full or by its last four digits; an ID number only in full.
    A phone is never matched by a fragment: adding one digit at a time would spell out the whole number."""
    text = text.strip()
    kind = number_search_kind(text)
    if kind == "id_number":
        return queryset.filter(head_id_number_hash=keyed_hash(text))
    if kind == "phone":
        return queryset.filter(phone=text)
    if kind == "phone_last_four":
        return queryset.filter(phone__endswith=text)
    if not text:
        return queryset
    return queryset.filter(Q(head_name__contains=text) | Q(address__contains=text))


class MaskedSearchInput(forms.TextInput):
    """Echo a searched ID number or mobile number back masked, so the result page never shows it in full."""

    def format_value(self, value):
        value = super().format_value(value)
        if value and _ID_LIKE.match(value.strip()):
            return mask_id_number(value.strip())
        if value and _DIGITS.match(value.strip()) and len(value.strip()) == 11:
            return mask_phone(value.strip())
        return value


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="搜索", method="filter_search", widget=MaskedSearchInput)
    area = django_filters.ModelChoiceFilter(
        label="镇/村", queryset=Area.objects.none(), method="filter_area", empty_label="全部区域"
    )
    is_hardship = django_filters.BooleanFilter(
        label="特困户", widget=forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])
    )

    class Meta:
        model = Household
        fields = ["q", "area", "is_hardship"]

    def __init__(self, *args, areas: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["area"].queryset = areas
        self.form.fields["q"].widget.attrs["placeholder"] = "姓名、地址、完整电话或后四位、完整身份证号"
        self.form.fields["area"].label_from_instance = lambda area: area.full_name

    def filter_search(self, queryset, name, value):
        return search_households(queryset, value)

    def filter_area(self, queryset, name, area: Area):
        if area.is_town:
            return queryset.filter(village__parent=area)
        return queryset.filter(village=area)


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(label="操作人账号", field_name="actor_username", lookup_expr="icontains")
    action = django_filters.ChoiceFilter(label="操作", choices=AuditEntry.Action.choices, empty_label="全部操作")
    ip_address = django_filters.CharFilter(label="来源地址", field_name="ip_address")
    date_from = django_filters.DateFilter(
        label="起始日期",
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label="截止日期",
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    object_id = django_filters.CharFilter(label="对象编号", field_name="object_id")

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "ip_address", "date_from", "date_to", "object_id"]


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

    def week(self) -> date:
        return week_start(self.value("week") or timezone.localdate())

    def month(self) -> date | None:
        return self.value("month")

    def value(self, name: str):
        """The cleaned value of `name`, or None when it was not given or not valid."""
        return self.cleaned_data.get(name) if self.errors is not None else None

    def errors_text(self) -> list[str]:
        return [error for errors in self.errors.values() for error in errors]


class CoverageFilterForm(PeriodFilterForm):
    area = forms.ModelChoiceField(label="镇/乡", queryset=Area.objects.none(), required=False)
    overdue_days = forms.IntegerField(label="超期天数", required=False, min_value=1, max_value=3650)

    def __init__(self, data=None, *, towns: QuerySet[Area], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["area"].queryset = towns

    def overdue_days_or_default(self) -> int:
        return self.value("overdue_days") or settings.VISIT_OVERDUE_DAYS


class NightComplianceFilterForm(PeriodFilterForm):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False)

    def __init__(self, data=None, *, units: QuerySet[Unit], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["unit"].queryset = units
