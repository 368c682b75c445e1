"""Forms of the ledger app's pairing and service-team pages."""

from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from feedback.models import Matter
from jingshi_jiafang.core.assignment import assignable_officers, assignable_villages
from jingshi_jiafang.core.dates import BoundedDateField
from jingshi_jiafang.core.forms import PhoneField
from jingshi_jiafang.core.models import Area, Unit, User
from ledger.models import PairingContact, TeamActivity, TeamMember
from ledger.models.pairing import CONTACT_NOTE_LENGTH
from ledger.models.teams import ACTIVITY_NOTE_LENGTH
from ledger.selectors.pairing import PERIOD_KINDS
from ledger.services.pairing import CONTACT_PAST_DAYS
from ledger.services.teams import ACTIVITY_PAST_DAYS
from visits.models import Visit


def _recent_date(label: str, past_days: int) -> BoundedDateField:
    today = timezone.localdate()
    return BoundedDateField(
        label=label,
        first=today - timedelta(days=past_days),
        last=today,
        initial=today,
        help_text="可补记近一个月内的。",
    )


class PairingContactForm(forms.Form):
    day = forms.DateField(label="联系日期")  # replaced per instance: the window moves with today
    method = forms.ChoiceField(label="联系方式", choices=PairingContact.Method.choices, initial="phone")
    note = forms.CharField(
        label="联系内容",
        required=False,
        max_length=CONTACT_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如:电话问候,了解到老人腿疼,下周带去药品"}),
        error_messages={"max_length": f"联系内容最多 {CONTACT_NOTE_LENGTH} 字。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"] = _recent_date("联系日期", CONTACT_PAST_DAYS)


class PairingComplianceFilterForm(forms.Form):
    period = forms.ChoiceField(label="周期", choices=list(PERIOD_KINDS.items()), required=False)
    day = BoundedDateField(label="日期", required=False)
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    behind = forms.BooleanField(label="只看未达标", required=False)

    def __init__(self, data=None, *, units: QuerySet[Unit], **kwargs):
        super().__init__(data or None, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].widget.attrs.update({"class": "form-select form-select-sm", "id": "id_unit"})

    def value(self, name: str, default=None):
        if not self.is_bound or self.errors.get(name):
            return default
        return self.cleaned_data.get(name) or default


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "kind", "phone"]
        # As typed from a volunteer's card or read out ("139 0000 1111"): the number, not a format error.
        field_classes = {"phone": PhoneField}
        error_messages = {
            "phone": {"required": "请填写联系电话。"},
            "name": {"required": "请填写姓名。"},
            "kind": {"required": "请选择身份。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择…"), *TeamMember.Kind.choices]


class TeamActivityForm(forms.Form):
    day = forms.DateField(label="日期")
    # No default: a mediation recorded as a patrol by an untouched select would skew the counts.
    kind = forms.ChoiceField(
        label="类别",
        choices=[("", "请选择…"), *TeamActivity.Kind.choices],
        error_messages={"required": "请选择活动类别。"},
    )
    place = forms.CharField(label="地点", max_length=64, error_messages={"max_length": "地点最多 64 字。"})
    members = forms.ModelMultipleChoiceField(
        label="参加队员",
        queryset=TeamMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择参加活动的队员。"},
    )
    note = forms.CharField(
        label="事项",
        max_length=ACTIVITY_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如:张、李两家宅基地界线纠纷,现场调解达成一致"}),
        error_messages={"max_length": f"事项最多 {ACTIVITY_NOTE_LENGTH} 字。", "required": "请写明事项。"},
    )
    visit = forms.ModelChoiceField(
        label="来源家访(选填)", queryset=Visit.objects.none(), required=False, empty_label="—(无)"
    )
    matter_reference = forms.CharField(
        label="来源诉求查询编号(选填)",
        max_length=20,
        required=False,
        help_text="由诉求引起时填写,如诉求页上的查询编号。",
    )

    def __init__(self, *args, members: QuerySet[TeamMember], visits: QuerySet[Visit], matters: QuerySet[Matter], **kw):
        super().__init__(*args, **kw)
        self.fields["day"] = _recent_date("日期", ACTIVITY_PAST_DAYS)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = str
        self.fields["visit"].queryset = visits
        self.fields["visit"].label_from_instance = lambda visit: (
            f"{timezone.localtime(visit.visited_at):%m-%d} {visit.household or visit.organisation} · {visit.visitor}"
        )
        self._matters = matters

    def clean_matter_reference(self):
        reference = self.cleaned_data["matter_reference"].strip().upper()
        if not reference:
            return None
        matter = self._matters.filter(reference=reference).first()
        if matter is None:
            raise forms.ValidationError("没有找到该查询编号的诉求,或您无权查看。")
        return matter


class TeamFoundForm(forms.Form):
    """组建服务队: a village of the head's area that has none yet, its name, and the officer who leads it."""

    area = forms.ModelChoiceField(
        label="村/居", queryset=Area.objects.none(), empty_label="请选择…", error_messages={"required": "请选择村/居。"}
    )
    name = forms.CharField(label="队名", max_length=64, required=False, help_text="不填则为“某某村社区公安服务队”。")
    leader = forms.ModelChoiceField(
        label="带队社区民警",
        queryset=User.objects.none(),
        empty_label="请选择…",
        error_messages={"required": "请选择带队的社区民警。"},
    )

    def __init__(self, *args, head: User, **kwargs):
        super().__init__(*args, **kwargs)
        villages = assignable_villages(head=head).filter(service_team__isnull=True).select_related("parent")
        self.fields["area"].queryset = villages.order_by("code")
        self.fields["area"].label_from_instance = lambda area: area.full_name
        self.fields["leader"].queryset = (
            assignable_officers(head=head).select_related("unit").order_by("unit__code", "name")
        )
        self.fields["leader"].label_from_instance = lambda user: f"{user.name}({user.unit})"
