import re

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from jingshi_jiafang.core.crypto import keyed_hash
from jingshi_jiafang.core.dates import due_visit_cutoff
from jingshi_jiafang.core.models import Area, AuditEntry, Household
from jingshi_jiafang.core.privacy import mask_id_number, mask_phone
from jingshi_jiafang.core.validators import normalize_phone, validate_phone

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


_DIGITS = re.compile(r"^\d{3,11}$")


_LAST_FOUR = re.compile(r"^\d{4}$")


def searched_number(text: str) -> str:
    """A search text as a number is stored, if it is one: typed as people write a number down (spaces, +86, a
    mobile grouped with dashes, full-width digits, an ID number's x) it still finds the household."""
    return normalize_phone(text).upper()


def number_search_kind(text: str) -> str | None:
    """What kind of number a search text is, if it is one: such searches are audited."""
    text = searched_number(text)
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
    number = searched_number(text)
    kind = number_search_kind(number)
    if kind == "id_number":
        return queryset.filter(head_id_number_hash=keyed_hash(number))
    if kind == "phone":
        return queryset.filter(phone=number)
    if kind == "phone_last_four":
        return queryset.filter(phone__endswith=number)
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(head_name__contains=text) | Q(address__contains=text))


class MaskedSearchInput(forms.TextInput):
    """Echo a searched ID number or mobile number back masked, so the result page never shows it in full."""

    def format_value(self, value):
        value = super().format_value(value)
        number = searched_number(value or "")
        if _ID_LIKE.match(number):
            return mask_id_number(number)
        if _DIGITS.match(number) and len(number) == 11:
            return mask_phone(number)
        return value


class MaskedPhoneSearchInput(MaskedSearchInput):
    """The phone search: a phone's keypad on a phone, the number echoed back masked."""

    input_type = "tel"


def households_due_visit_filter(cutoff) -> Q:
    """Households not visited since `cutoff`, or never: due a visit (到期走访)."""
    return Q(last_visited_at__lt=cutoff) | Q(last_visited_at__isnull=True)


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="搜索", method="filter_search", widget=MaskedSearchInput)
    phone = django_filters.CharFilter(label="电话", method="filter_phone", widget=MaskedPhoneSearchInput)
    area = django_filters.ModelChoiceFilter(
        label="镇/村", queryset=Area.objects.none(), method="filter_area", empty_label="全部区域"
    )
    due = django_filters.ChoiceFilter(label="到期走访", method="filter_due", empty_label="全部", choices=[])
    is_hardship = django_filters.BooleanFilter(
        label="特困户", widget=forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])
    )

    class Meta:
        model = Household
        fields = ["q", "phone", "area", "due", "is_hardship"]

    # The text searches whose numbers are audited (`number_search_kind`).
    SEARCH_FIELDS = ("q", "phone")

    def __init__(self, *args, areas: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["area"].queryset = areas
        self.form.fields["q"].widget.attrs.update(placeholder="姓名、地址或身份证号", enterkeyhint="search")
        self.form.fields["phone"].widget.attrs.update(
            placeholder="全号或后四位", inputmode="tel", autocomplete="off", enterkeyhint="search"
        )
        self.form.fields["area"].label_from_instance = lambda area: area.full_name
        self.form.fields["due"].choices = [("due", f"到期(超{settings.VISIT_OVERDUE_DAYS}天)")]
        for name, field in self.form.fields.items():
            invalid = " is-invalid" if self.form.is_bound and name in self.form.errors else ""
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css + invalid

    def filter_search(self, queryset, name, value):
        return search_households(queryset, value)

    @property
    def phone_is_a_fragment(self) -> bool:
        """A phone searched by neither its whole number nor its last four digits: it finds nothing, and the page
        says why (a search by any fragment would let the number be spelled out a digit at a time)."""
        text = self.form.data.get("phone", "") if self.is_bound else ""
        return bool(text.strip()) and number_search_kind(text) not in ("phone", "phone_last_four")

    def filter_phone(self, queryset, name, value):
        """Only a whole number or its last four digits: anything else finds nothing, as in `search_households`."""
        if number_search_kind(value) not in ("phone", "phone_last_four"):
            return queryset.none()
        return search_households(queryset, value)

    def filter_due(self, queryset, name, value):
        if value != "due":
            return queryset
        return queryset.filter(households_due_visit_filter(due_visit_cutoff()))

    def filter_area(self, queryset, name, area: Area):
        if area.is_town:
            return queryset.filter(village__parent=area)
        return queryset.filter(village=area)


class AuditEntryFilter(django_filters.FilterSet):
    # The whole account name: a part of one would take secadmin's actions for admin's. Exact also uses the index.
    actor = django_filters.CharFilter(
        label="操作人账号",
        field_name="actor_username",
        lookup_expr="exact",
        widget=forms.TextInput(attrs={"placeholder": "完整账号,如 admin", "autocomplete": "off"}),
    )
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
