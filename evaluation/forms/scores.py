"""Forms of the scores pages: the ranking filters, the weight form, closing and recomputing a month."""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from evaluation.models import Metric, Score, SubjectKind
from evaluation.selectors.scores import METRICS_OF
from evaluation.services.scores import REASON_MAX_LENGTH
from jingshi_jiafang.core.dates import MonthField
from jingshi_jiafang.core.models import Area, Unit

SMALL_SELECT = {"class": "form-select form-select-sm"}


class RankingFilterForm(forms.Form):
    period = forms.ChoiceField(label="周期", choices=Score.Period.choices, required=False)
    month = MonthField(label="月份", required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="考核对象", choices=SubjectKind.choices, required=False)
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    town = forms.ModelChoiceField(label="镇/乡", queryset=Area.objects.none(), required=False, empty_label="全部镇/乡")

    def __init__(self, data=None, *, units: QuerySet[Unit], towns: QuerySet[Area], kinds: list[str], **kwargs):
        super().__init__(data or None, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["town"].queryset = towns
        self.fields["kind"].choices = [(kind, SubjectKind(kind).label) for kind in kinds]
        for name in ("period", "kind", "unit", "town"):
            self.fields[name].widget.attrs.update(SMALL_SELECT)
        for name in ("month", "year"):
            self.fields[name].widget.attrs.update({"class": "form-control form-control-sm"})

    def value(self, name: str, default=None):
        if not self.is_bound or self.errors.get(name):
            return default
        return self.cleaned_data.get(name) or default


class ScoreWeightForm(forms.Form):
    subject_kind = forms.ChoiceField(label="考核对象", choices=SubjectKind.choices)
    metric = forms.ChoiceField(label="指标", choices=Metric.choices)
    weight = forms.DecimalField(
        label="权重(分)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text="比率指标为满分中的份额;虚假走访为每次扣分。",
        error_messages={"invalid": "请输入 0 到 100 之间的数。"},
    )
    valid_from = MonthField(label="起始月份", help_text="从该月起生效,之前的月份不变;已关闭的月份不能改。")
    note = forms.CharField(label="调整说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["valid_from"].initial = today.replace(day=1)

    def clean(self):
        cleaned = super().clean()
        kind, metric = cleaned.get("subject_kind"), cleaned.get("metric")
        if kind and metric and metric not in METRICS_OF[kind]:
            self.add_error("metric", f"“{Metric(metric).label}”不用于考核{SubjectKind(kind).label}。")
        return cleaned


class MonthCloseForm(forms.Form):
    month = MonthField(label="月份")
    confirm = forms.BooleanField(
        label="我确认关闭该月:关闭后分数冻结,每日任务不再重算。",
        error_messages={"required": "请勾选确认后再关闭。"},
    )


class RecomputeClosedForm(forms.Form):
    month = MonthField(label="月份")
    reason = forms.CharField(
        label="重算理由",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如:补录了该月漏记的走访,经局领导同意重算"}),
        error_messages={"required": "请说明为什么要重算已关闭的月份。"},
    )
    confirm = forms.BooleanField(
        label="我确认重算:该月分数将按当前数据重新计算,并记入审计日志。",
        error_messages={"required": "请勾选确认后再重算。"},
    )
