"""Forms of the field-check pages."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from evaluation.models import FieldCheck
from evaluation.models.field_checks import FINDINGS_MAX_LENGTH
from evaluation.services.field_checks import CHECK_PAST_DAYS
from jingshi_jiafang.core.dates import BoundedDateField


class FieldCheckForm(forms.Form):
    place = forms.CharField(label="核查地点", max_length=128, error_messages={"required": "请填写核查地点。"})
    check_date = forms.DateField(label="核查日期")  # replaced per instance: the window moves with today
    result = forms.ChoiceField(
        label="核查结论",
        choices=FieldCheck.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择核查结论。"},
    )
    findings = forms.CharField(
        label="核查情况",
        max_length=FINDINGS_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "如:入户核实,户主确认民警 11 月 3 日上门,了解了低保申请情况"}
        ),
        error_messages={"required": "请写明核查情况。", "max_length": f"核查情况最多 {FINDINGS_MAX_LENGTH} 字。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["check_date"] = BoundedDateField(
            label="核查日期", first=today - timedelta(days=CHECK_PAST_DAYS), last=today, initial=today
        )


class FieldCheckFilterForm(forms.Form):
    result = forms.ChoiceField(label="结论", choices=[("", "全部")] + FieldCheck.Result.choices, required=False)
    source = forms.ChoiceField(label="对象", choices=[("", "全部")] + FieldCheck.Source.choices, required=False)
    start = BoundedDateField(label="核查日期自", required=False)
    end = BoundedDateField(label="至", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name in ("result", "source") else "form-control form-control-sm"
            )

    def filter(self, checks):
        if not self.is_valid():
            return checks
        data = self.cleaned_data
        if data["result"]:
            checks = checks.filter(result=data["result"])
        if data["source"]:
            checks = checks.filter(source=data["source"])
        if data["start"]:
            checks = checks.filter(check_date__gte=data["start"])
        if data["end"]:
            checks = checks.filter(check_date__lte=data["end"])
        return checks
