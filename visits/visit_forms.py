"""The visit form an officer fills in at the door: what the visit was, the household's facts (corrected in
place), what was found, and the residents' requests, one per line."""

import uuid
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from visits.dates import ISO_MINUTE, DateTimeMinuteInput, local_minute
from visits.models import Finding, Household, RegistrationCorrection, Visit
from visits.privacy import mask_phone
from visits.services import CorrectionInput, FindingInput, visit_time_error
from visits.validators import validate_phone

# Lengths a person writes at a door; anything longer is pasted, not heard.
LONG_TEXT = 2000
FINDING_TEXT = 1000
REQUEST_LINE = 500


def _text(label: str, max_length: int, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"{label}最多 {max_length} 字。"},
    )


class VisitForm(forms.ModelForm):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    visited_at = forms.DateTimeField(
        label="走访时间",
        input_formats=[ISO_MINUTE],
        widget=DateTimeMinuteInput,
        error_messages={"invalid": "请输入有效的走访时间。"},
    )
    # The household's facts, shown filled in: the officer changes what is wrong.
    head_name = forms.CharField(label="户主姓名", max_length=32)
    address = forms.CharField(label="住址", max_length=128)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        validators=[validate_phone],
        help_text="号码有变化时填写新号码;不填表示不变。",
    )
    members_count = forms.IntegerField(label="家庭人口", min_value=1, max_value=99)
    requests = _text("诉求(每行一条)", LONG_TEXT, rows=3)
    requests.help_text = "每条诉求都会登记为一件群众诉求,进入研判、分流、办结流程。"
    dispute = _text("矛盾纠纷", FINDING_TEXT)
    dispute_mediated = forms.BooleanField(label="已当场调解", required=False)
    stability = _text("维稳信息", FINDING_TEXT)
    case_clue = _text("破案线索", FINDING_TEXT)
    problem_solved = _text("解决的复杂问题", FINDING_TEXT)

    class Meta:
        model = Visit
        fields = [
            "kind",
            "visited_at",
            "people_met",
            "facts_confirmed",
            "opinions",
            "result",
            "explained_policy",
            "collected_opinions",
            "outside_links_reason",
        ]
        widgets = {
            "opinions": forms.Textarea(attrs={"rows": 3}),
            "result": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            name: {"max_length": f"{label}最多 %(limit_value)d 字。"}
            for name, label in (
                ("people_met", "见到的人"),
                ("opinions", "意见建议"),
                ("result", "走访结果"),
                ("outside_links_reason", "走访理由"),
            )
        }

    def __init__(self, *args, household: Household, within_links: bool, **kwargs):
        initial = {
            "submission_key": uuid.uuid4(),
            "visited_at": timezone.localtime().replace(second=0, microsecond=0),
            **{name: getattr(household, name) for name in ("head_name", "address", "members_count")},
        }
        super().__init__(*args, initial=initial, **kwargs)
        now = timezone.now()
        self.fields["visited_at"].help_text = f"可补录 {settings.VISIT_LATE_ENTRY_HOURS} 小时内的走访。"
        self.fields["visited_at"].widget.attrs.update(
            min=local_minute(now - timedelta(hours=settings.VISIT_LATE_ENTRY_HOURS)), max=local_minute(now)
        )
        # The phone is personal data: shown masked, never filled in (the officer types a new one if it changed).
        self.fields["phone"].widget.attrs["placeholder"] = mask_phone(household.phone) or "未登记"
        self.fields["kind"].choices = [(Visit.Kind.DAY, "昼访"), (Visit.Kind.NIGHT, "夜访(警民夜谈)")]
        self.fields["people_met"].widget.attrs["placeholder"] = "如:户主本人、其妻子"
        self.fields["outside_links_reason"].required = not within_links
        if within_links:
            del self.fields["outside_links_reason"]

    def clean_visited_at(self):
        moment = self.cleaned_data["visited_at"]
        if error := visit_time_error(moment):
            raise forms.ValidationError(error)
        return moment

    def clean_requests(self):
        lines = [line.strip() for line in self.cleaned_data["requests"].splitlines() if line.strip()]
        if any(len(line) > REQUEST_LINE for line in lines):
            raise forms.ValidationError(f"每条诉求最多 {REQUEST_LINE} 字,请分成几行。")
        return "\n".join(lines)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != Visit.Kind.NIGHT:
            cleaned["explained_policy"] = cleaned["collected_opinions"] = False
        if cleaned.get("dispute_mediated") and not cleaned.get("dispute"):
            self.add_error("dispute", "勾选了当场调解,请写明矛盾纠纷的内容。")
        return cleaned

    def visit_details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}

    def fact_values(self) -> dict:
        facts = {name: self.cleaned_data[name] for name in ("head_name", "address", "members_count")}
        if self.cleaned_data["phone"]:
            facts["phone"] = self.cleaned_data["phone"]
        return facts

    def finding_inputs(self) -> list[FindingInput]:
        data = self.cleaned_data
        findings = []
        if data["dispute"]:
            findings.append(FindingInput(Finding.Kind.DISPUTE, data["dispute"], data["dispute_mediated"]))
        for field, kind in (
            ("stability", Finding.Kind.STABILITY),
            ("case_clue", Finding.Kind.CASE_CLUE),
            ("problem_solved", Finding.Kind.PROBLEM_SOLVED),
        ):
            if data[field]:
                findings.append(FindingInput(kind, data[field]))
        return findings

    def request_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["requests"].splitlines() if line.strip()]


class CorrectionForm(forms.Form):
    """A registration item not among the household facts above, e.g. a member's birth date."""

    field = forms.ChoiceField(
        label="项目",
        choices=[("", "—")]
        + [
            c
            for c in RegistrationCorrection.Field.choices
            if c[0] not in ("head_name", "address", "phone", "members_count")
        ],
        required=False,
    )
    old_value = forms.CharField(label="原值", max_length=100, required=False)
    new_value = forms.CharField(label="新值", max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("field") and not cleaned.get("new_value"):
            self.add_error("new_value", "请填写整改后的值。")
        if cleaned.get("new_value") and not cleaned.get("field"):
            self.add_error("field", "请选择整改的项目。")
        return cleaned


CorrectionFormSet = forms.formset_factory(CorrectionForm, extra=2, max_num=20)


def corrections_from(formset) -> list[CorrectionInput]:
    return [
        CorrectionInput(form.cleaned_data["field"], form.cleaned_data["old_value"], form.cleaned_data["new_value"])
        for form in formset
        if form.cleaned_data.get("field")
    ]
