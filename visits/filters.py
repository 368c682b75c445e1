import re

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from visits.crypto import keyed_hash
from visits.models import Area, AuditEntry, Household
from visits.privacy import mask_id_number, mask_phone

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
_DIGITS = re.compile(r"^\d{3,11}$")


def search_households(queryset: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Name and address by substring; a phone by its digits; an ID number only when typed in full."""
    text = text.strip()
    if not text:
        return queryset
    if _ID_LIKE.match(text):
        return queryset.filter(head_id_number_hash=keyed_hash(text))
    if _DIGITS.match(text):
        return queryset.filter(phone__contains=text)
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
        self.form.fields["q"].widget.attrs["placeholder"] = "姓名、地址、电话或完整身份证号"
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
