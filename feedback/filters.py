"""Filters of the matter queues: a station's queue holds 120–180 matters, too many to scroll on a phone."""

import re
from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from feedback.models import Category, Matter
from feedback.selectors import STAGES, closed_between, overdue, states_reached
from jingshi_jiafang.core.dates import BoundedDateField, midnight
from jingshi_jiafang.core.filters import MaskedSearchInput
from jingshi_jiafang.core.models import Area
from jingshi_jiafang.core.selectors import units_placed_in

_REFERENCE = re.compile(r"^\d{12}$")
_DIGITS = re.compile(r"^\d{1,11}$")
_CARD = re.compile(r"^SY-", re.IGNORECASE)
_GROUPED_DIGITS = re.compile(r"^[\d\s-]+$")
# A card's sequence is printed as six digits; the hand-out form takes it with or without the leading zeros.
_SEQUENCE_DIGITS = 6


def search_matters(queryset: QuerySet[Matter], text: str) -> QuerySet[Matter]:
    """A 12-digit reference exactly (as read out, in groups: spaces and dashes are dropped); a card number by its
    start; digits as a reference's start, a phone, or a card's sequence number; anything else in the resident's
    name, the household head's name or the text."""
    text = text.strip()
    if not text:
        return queryset
    digits = re.sub(r"[\s-]", "", text) if _GROUPED_DIGITS.match(text) else text
    if _REFERENCE.match(digits):
        return queryset.filter(Q(reference=digits) | Q(resident_phone=text))
    if _CARD.match(text):
        return queryset.filter(echo_card__number__startswith=text.upper())
    if _DIGITS.match(text):
        found = Q(reference__startswith=text) if len(text) >= 3 else Q(pk__in=[])
        if len(text) >= 3:
            found |= Q(resident_phone__contains=text)
        if len(text) <= _SEQUENCE_DIGITS:
            found |= Q(echo_card__sequence=int(text))
        return queryset.filter(found)
    return queryset.filter(
        Q(resident_name__contains=text) | Q(household__head_name__contains=text) | Q(content__contains=text)
    )


_YES_NO = forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])
# 未分类: matters the legal department has not sorted yet (a blank category, which a query string cannot name).
UNCLASSIFIED = "unclassified"
# 办理进度: the dashboard's funnel, stage by stage; the first is every matter received, the merged ones left out.
_REACHED = [
    (Matter.State.REPORTED, "已受理(不含已合并)"),
    *((state, f"已到{Matter.State(state).label}及以后") for state in STAGES[1:-1]),
    (Matter.State.CLOSED, "已办结"),
]


class _DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class MatterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="搜索", method="filter_search", widget=MaskedSearchInput)
    state = django_filters.ChoiceFilter(label="阶段", choices=Matter.State.choices, empty_label="全部阶段")
    category = django_filters.ChoiceFilter(
        label="类别",
        choices=[*Category.choices, (UNCLASSIFIED, "未分类")],
        empty_label="全部类别",
        method="filter_category",
    )
    channel = django_filters.ChoiceFilter(label="渠道", choices=Matter.Channel.choices, empty_label="全部渠道")
    village = django_filters.ModelChoiceFilter(
        label="村/居", queryset=Area.objects.none(), field_name="household__village", empty_label="全部村/居"
    )
    # What the dashboard's 未落到村 row of a town counts: no village, received by a unit placed in the town.
    unplaced_in = django_filters.ModelChoiceFilter(
        label="未落到村(说事厅等)",
        queryset=Area.objects.none(),
        method="filter_unplaced_in",
        empty_label="—",
        help_text="选一个镇/乡:只列出其单位受理、没有落到某个村(居)的诉求",
    )
    overdue = django_filters.BooleanFilter(label="超期", method="filter_overdue", widget=_YES_NO)
    due_by = django_filters.DateFilter(
        label="期限不晚于", method="filter_due_by", widget=forms.DateInput(attrs={"type": "date"})
    )
    reached = django_filters.ChoiceFilter(
        label="办理进度", choices=_REACHED, empty_label="全部", method="filter_reached"
    )
    received_from = _DateFilter(label="受理日期起", method="filter_received_from")
    received_to = _DateFilter(label="受理日期止", method="filter_received_to")
    # The days of a closing step (办结): both bounds on the same closing, so applied together in `filter_queryset`.
    closed_from = _DateFilter(label="办结日期起", method="closed_together")
    closed_to = _DateFilter(label="办结日期止", method="closed_together")

    class Meta:
        model = Matter
        fields = ["q", "state", "category", "channel", "village", "overdue", "due_by"]

    def __init__(self, *args, villages: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["village"].queryset = villages.select_related("parent").order_by("parent__name", "name")
        towns = Area.objects.filter(kind=Area.Kind.TOWN, pk__in=villages.values("parent")).order_by("code")
        self.filters["unplaced_in"].queryset = towns
        self.form.fields["village"].label_from_instance = lambda area: f"{area.parent.name} · {area.name}"
        self.form.fields["q"].widget.attrs["placeholder"] = "查询编号、回音卡号、反映人或内容"

    @property
    def is_filtering(self) -> bool:
        """Whether any filter was given (the queue tab alone is not a filter)."""
        return self.form.is_bound and any(self.form.data.get(name) for name in self.filters)

    def filter_search(self, queryset, name, value):
        return search_matters(queryset, value)

    def chosen(self) -> list[str]:
        """The filters in use beyond the search box, as "label:value": what a list opened from a dashboard's link
        shows, said above it (on a phone the open filters push the list below the first screen)."""
        if not self.is_bound or not self.form.is_valid():
            return []
        said = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if name == "q" or value in (None, ""):
                continue
            if isinstance(field, forms.ModelChoiceField):
                text = field.label_from_instance(value)
            elif isinstance(value, bool):
                text = "是" if value else "否"
            elif hasattr(field, "choices"):
                text = dict(field.choices).get(value, value)
            else:
                text = value
            said.append(f"{field.label}:{text}")
        return said

    def filter_unplaced_in(self, queryset, name, town: Area):
        return queryset.filter(village__isnull=True, unit__in=units_placed_in([town.pk]))

    def filter_overdue(self, queryset, name, value: bool):
        late = overdue(timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_category(self, queryset, name, value):
        return queryset.filter(category="" if value == UNCLASSIFIED else value)

    def filter_reached(self, queryset, name, value):
        return queryset.filter(state__in=states_reached(value))

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=midnight(value))

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=midnight(value + timedelta(days=1)))

    def closed_together(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        start, end = (self.form.cleaned_data.get(name) for name in ("closed_from", "closed_to"))
        return queryset.filter(closed_between(start, end)) if start or end else queryset

    def filter_due_by(self, queryset, name, value):
        # The end of that day in local time, as a range on the indexed column rather than a date cast.
        end = midnight(value + timedelta(days=1))
        return queryset.filter(deadline__lt=end)
