"""The evaluator's form for one call, and the period of the callback-rate figures."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from evaluation.models import Callback, Satisfaction
from evaluation.models.callbacks import COMMENT_MAX_LENGTH
from jingshi_jiafang.core.dates import BoundedDateField

REACHED_CHOICES = [("yes", "联系上了"), ("no", "未联系上")]


class CallbackForm(forms.Form):
    reached = forms.ChoiceField(
        label="是否联系上",
        choices=REACHED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择是否联系上。"},
    )
    visit_check = forms.ChoiceField(
        label="民警是否上门走访",
        choices=Callback.VisitCheck.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="群众说民警没有来过,即为虚假走访。",
    )
    # A false visit costs the officer points: asked once more, on the page, before it is recorded.
    confirm_denied = forms.BooleanField(
        label="已向群众再次核实,民警确实没有上门", help_text="记为虚假走访,计入民警考核扣分。", required=False
    )
    satisfaction = forms.ChoiceField(
        label="满意度", choices=Satisfaction.choices, widget=forms.RadioSelect, required=False
    )
    comment = forms.CharField(
        label="意见/情况",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, callback: Callback, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_visit = callback.source == Callback.Source.VISIT
        if not self.is_visit:
            del self.fields["visit_check"], self.fields["confirm_denied"]
        # A matter or item the resident is not satisfied with is reopened with the comment; only a visit's comment
        # becomes a new matter.
        self.fields["comment"].help_text = (
            "群众的原话或要求;需要办理的,回访后可一键转为诉求。"
            if self.is_visit
            else "群众的原话;不满意时随诉求/台账重新办理转给承办人。"
        )

    def clean(self):
        data = super().clean()
        confirmed_denial = data.pop("confirm_denied", False)  # asked here, not kept by the service
        data["reached"] = data.get("reached") == "yes"
        if not data["reached"] or self.errors:
            return data
        denied = self.is_visit and data.get("visit_check") == Callback.VisitCheck.DENIED
        if self.is_visit and not data.get("visit_check"):
            self.add_error("visit_check", "联系上了,请选择群众是否确认民警上门走访。")
        elif denied and not confirmed_denial:
            self.add_error("confirm_denied", "记为虚假走访会扣民警的分:请向群众再核实一次,勾选确认后保存。")
        elif not data.get("satisfaction") and not denied:
            self.add_error("satisfaction", "联系上了,请选择满意度。")
        return data

    def asks_to_confirm_denied(self) -> bool:
        """Whether the confirmation shows without script: once 未走访 was chosen and sent."""
        return self.is_bound and self.data.get("visit_check") == Callback.VisitCheck.DENIED


class QueueFilterForm(forms.Form):
    PARTS = [("", "全部时段"), ("today", "今日首次回访"), ("retry", "今日重拨"), ("overdue", "逾期未回访")]

    source = forms.ChoiceField(
        label="回访对象", choices=[("", "全部回访对象"), *Callback.Source.choices], required=False
    )
    part = forms.ChoiceField(label="范围", choices=PARTS, required=False)


class FiguresPeriodForm(forms.Form):
    DEFAULT_DAYS = 14
    MAX_DAYS = 93

    start = BoundedDateField(label="起", required=False)
    end = BoundedDateField(label="止", required=False)

    def period(self):
        """The chosen days, or the last 14 days to today when none were given (or the input was refused)."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=self.DEFAULT_DAYS - 1)
        return start, end

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end") or timezone.localdate()
        if start and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        if start and (end - start).days >= self.MAX_DAYS:
            raise forms.ValidationError(f"统计期最长 {self.MAX_DAYS} 天,请缩短日期范围。")
        return data
