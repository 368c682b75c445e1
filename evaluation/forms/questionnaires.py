"""Forms of the questionnaire pages: making one, and recording one household's answers."""

import calendar

from django import forms
from django.utils import timezone

from evaluation.models import Method, QuestionnaireResponse, QuestionnaireTemplate
from evaluation.services.questionnaires import MAX_SAMPLE_SIZE
from jingshi_jiafang.core.dates import BoundedDateField
from jingshi_jiafang.core.models import Area

COUNTY = ""


class QuestionnaireForm(forms.Form):
    template = forms.ModelChoiceField(
        label="问卷模板",
        queryset=QuestionnaireTemplate.objects.filter(is_active=True),
        empty_label=None,
        error_messages={"invalid_choice": "请选择问卷模板。"},
    )
    area = forms.ChoiceField(label="调查区域", required=False, help_text="全县、某个镇/乡或某个村/居。")
    start = BoundedDateField(label="开始日期")
    end = BoundedDateField(label="结束日期")
    sample_size = forms.IntegerField(
        label="样本量(户)",
        min_value=1,
        max_value=MAX_SAMPLE_SIZE,
        initial=100,
        error_messages={
            "min_value": "样本量至少 1 户。",
            "max_value": f"样本量最多 {MAX_SAMPLE_SIZE} 户。",
            "invalid": "请输入整数。",
        },
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self._areas = {str(area.pk): area for area in areas}
        choices = [(COUNTY, "全县")]
        choices += [(key, area.full_name) for key, area in self._areas.items()]
        self.fields["area"].choices = choices
        today = timezone.localdate()
        self.fields["start"].initial = today.replace(day=1)
        self.fields["end"].initial = today.replace(day=calendar.monthrange(today.year, today.month)[1])

    def clean_area(self) -> Area | None:
        value = self.cleaned_data.get("area") or COUNTY
        return None if value == COUNTY else self._areas[value]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data


class ResponseForm(forms.Form):
    """One household's answers: the outcome, how they were taken, and one choice per question (a question may be
    left unanswered)."""

    # Not a response: the household stays to be asked (services.attempt_record).
    NOT_NOW = "not_now"
    Outcome = QuestionnaireResponse.Outcome

    outcome = forms.ChoiceField(
        label="作答结果",
        choices=[
            (Outcome.ANSWERED, Outcome.ANSWERED.label),
            (Outcome.REFUSED, Outcome.REFUSED.label),
            (NOT_NOW, "本次未接通,稍后再拨"),
            (Outcome.UNREACHABLE, "联系不上,不再拨打"),
        ],
        initial=Outcome.ANSWERED,
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(label="方式", choices=Method.choices, initial=Method.PHONE, widget=forms.RadioSelect)
    # The how-manyth try this would be, as the page counted them: a second tap of the same form is the same try.
    attempt = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, questions, attempt: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attempt"].initial = attempt
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=f"{question.order}. {question.text}",
                # 未答 first: a question the household would not answer, and a way back from a mis-tap.
                choices=[("", "未答")] + [(str(option.pk), option.label) for option in question.scale.options.all()],
                required=False,
                initial="",
                widget=forms.RadioSelect,
            )
        self.fields["note"] = forms.CharField(
            label="备注",
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"placeholder": "如:空号、户主外出务工"}),
            error_messages={"max_length": "备注最多 200 字。"},
        )

    def answers(self) -> dict[int, int]:
        return {
            question.pk: int(self.cleaned_data[f"q{question.pk}"])
            for question in self.questions
            if self.cleaned_data.get(f"q{question.pk}")
        }

    def clean(self):
        data = super().clean()
        answered = data.get("outcome") == QuestionnaireResponse.Outcome.ANSWERED
        if answered and not self.answers():
            raise forms.ValidationError(
                "已作答的,请至少选择一题的答案;没有作答请选“拒绝作答”“本次未接通”或“联系不上”。"
            )
        if not answered and self.answers():
            raise forms.ValidationError("拒绝作答、未接通或联系不上的,请不要选择答案。")
        if data.get("outcome") == self.NOT_NOW and not data.get("attempt"):
            raise forms.ValidationError("页面已过期,请刷新后再记录本次未接通。")
        return data
