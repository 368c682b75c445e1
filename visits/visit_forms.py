"""The visit form an officer fills in at the door: what the visit was, the household's facts (corrected in
place), what was found, and the residents' requests, one per line."""

import re
import uuid
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from jingshi_jiafang.core.dates import ISO_DATE, ISO_MINUTE, DateTimeMinuteInput, IsoDateInput, local_minute
from jingshi_jiafang.core.forms import PhoneField
from jingshi_jiafang.core.models import Household
from jingshi_jiafang.core.privacy import item_value, mask_phone
from jingshi_jiafang.core.validators import normalize_id_number, validate_id_number
from visits.models import Finding, RegistrationCorrection, Visit
from visits.night import night_window_error, window_attrs
from visits.selectors import EVENT_ITEMS
from visits.services import CorrectionInput, FindingInput, visit_time_error

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


class SubmissionKeyForm(forms.Form):
    """Only the key of a sent visit form: is this a form already recorded?"""

    submission_key = forms.UUIDField()


class VisitForm(forms.ModelForm):
    # A text input kept out of sight, not a hidden one: the browser restores a text input's value on 后退 (and
    # not a hidden input's), so the form sent again after 后退 carries the key of the visit it recorded.
    submission_key = forms.UUIDField(widget=forms.TextInput(attrs={"hidden": True}))
    visited_at = forms.DateTimeField(
        label="走访时间",
        input_formats=[ISO_MINUTE],
        widget=DateTimeMinuteInput,
        error_messages={"invalid": "请输入有效的走访时间。"},
    )
    # The household's facts, shown filled in: the officer changes what is wrong.
    head_name = forms.CharField(label="户主姓名", max_length=32)
    address = forms.CharField(label="住址", max_length=128)
    phone = PhoneField(
        label="联系电话",
        max_length=20,
        required=False,
        help_text="号码有变化时填写新号码;不填表示不变。",
        # A phone's keypad at the door, not the full keyboard.
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    members_count = forms.IntegerField(
        label="家庭人口", min_value=1, max_value=99, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
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
            )
        }
        error_messages["people_met"]["required"] = "请填写,如:户主本人、其妻子。"

    def __init__(self, *args, household: Household, paired: bool = False, **kwargs):
        initial = {
            "submission_key": uuid.uuid4(),
            "visited_at": timezone.localtime().replace(second=0, microsecond=0),
            # Ticked by the officer who checked, never by default: an unticked box is an honest "not checked".
            "facts_confirmed": False,
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
        kinds = [(Visit.Kind.DAY, "昼访"), (Visit.Kind.NIGHT, "夜访(警民夜谈)")]
        if paired:
            # Offered only at the visitor's own paired household: the visit counts towards the pairing's duty.
            kinds.insert(0, (Visit.Kind.PAIRING, "结对走访(结对联建)"))
            self.initial["kind"] = Visit.Kind.PAIRING
        else:  # typed at the door during the night window, a visit is a night visit
            self.initial["kind"] = Visit.Kind.DAY if night_window_error(now) else Visit.Kind.NIGHT
            self.fields["kind"].widget.attrs.update(window_attrs())
        self.fields["kind"].choices = kinds
        self.fields["people_met"].widget.attrs["placeholder"] = "如:户主本人、其妻子"

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
        elif cleaned.get("visited_at") and (error := night_window_error(cleaned["visited_at"])):
            # Said with the form's other errors, not in a second round after them (the service keeps the rule).
            self.add_error("kind", error)
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


_CHINESE_WORD = re.compile(r"^[\u4e00-\u9fff]{1,8}$")


def _choices(values) -> list[tuple[str, str]]:
    return [("", "—(不变)")] + [(value, value) for value in values]


def _validate_ethnicity(value: str) -> None:
    if not _CHINESE_WORD.match(value):
        raise forms.ValidationError("民族请填写汉字,如 汉、回、满。")


class RegistrationItemsForm(forms.Form):
    """The registration items that are not among the household facts above. Each shows its current value (masked
    when it is personal data); the officer fills in only what is wrong, and each new value is checked for its item."""

    head_id_number = forms.CharField(
        label="户主身份证号", required=False, max_length=18, validators=[validate_id_number]
    )
    birth_date = forms.DateField(
        label="户主出生日期",
        required=False,
        input_formats=[ISO_DATE],
        widget=IsoDateInput,
        error_messages={"invalid": "出生日期应为日期,如 1965-03-02。"},
    )
    ethnicity = forms.CharField(label="民族", required=False, max_length=8, validators=[_validate_ethnicity])
    marital_status = forms.ChoiceField(
        label="婚姻状况", required=False, choices=_choices(RegistrationCorrection.MARITAL_STATUSES)
    )
    education = forms.ChoiceField(
        label="文化程度", required=False, choices=_choices(RegistrationCorrection.EDUCATION_LEVELS)
    )
    employer = forms.CharField(label="服务处所", required=False, max_length=64)
    member_added = forms.CharField(
        label="增加人员",
        required=False,
        max_length=64,
        help_text="姓名及原因,如 新生儿 李小宝;保存后家庭人口自动加 1 人",
    )
    member_removed = forms.CharField(
        label="减少人员", required=False, max_length=64, help_text="姓名及原因;保存后家庭人口自动减 1 人"
    )
    other = forms.CharField(label="其他", required=False, max_length=100)

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, prefix="fix", **kwargs)
        for name, field in self.fields.items():
            field.error_messages.setdefault("max_length", f"{field.label}最多 %(limit_value)d 字。")
            field.error_messages["invalid_choice"] = f"请选择{field.label}。"
            if name not in EVENT_ITEMS:
                field.help_text = (
                    f"当前:{item_value(name, current.get(name, ''))}" if current.get(name) else "当前:未登记"
                )
        # The window of a birth date: nobody registered is older than 1900 or born after today.
        self.fields["birth_date"].widget.attrs.update(min="1900-01-01", max=timezone.localdate().isoformat())

    def clean_head_id_number(self):
        return normalize_id_number(self.cleaned_data["head_id_number"])

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        if born is not None and not date(1900, 1, 1) <= born <= timezone.localdate():
            raise forms.ValidationError("出生日期超出范围,应在 1900-01-01 至今天之间。")
        return born

    def corrections(self) -> list[CorrectionInput]:
        values = {name: self.cleaned_data.get(name) for name in self.fields}
        return [
            CorrectionInput(name, value.isoformat() if isinstance(value, date) else value)
            for name, value in values.items()
            if value
        ]
