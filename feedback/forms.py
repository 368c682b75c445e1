from datetime import date

from django import forms

from feedback.models import Category, Matter, TalkRoomCallback, TopicVisit
from feedback.models.matters import CONTENT_MAX_LENGTH, NOTE_MAX_LENGTH, RESULT_MAX_LENGTH
from feedback.selectors import RATINGS
from visits.models import Unit, User
from visits.scopes import unit_subtree

TOO_LONG = "最多 %(limit_value)d 个字(现有 %(show_value)d 个字),请精简后再提交。"


def bounded_text(label: str, max_length: int, *, required: bool = True, rows: int = 2) -> forms.CharField:
    """A text a person writes, bounded to what a person writes; the browser stops at the bound too."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": TOO_LONG},
    )


_DATETIME = {
    "input_formats": ["%Y-%m-%dT%H:%M"],
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
}


class TopicVisitForm(forms.ModelForm):
    month = forms.DateField(
        label="月份", input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    )
    staff = forms.ModelMultipleChoiceField(
        label="参加人员",
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="按住 Ctrl 可多选。",
    )

    class Meta:
        model = TopicVisit
        fields = ["title", "category", "month", "departments", "staff"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, initial={"month": date.today().replace(day=1)}, **kwargs)
        self.fields["category"].choices = [c for c in Category.choices if c[0] != Category.OTHER]
        self.fields["staff"].queryset = (
            User.objects.filter(is_active=True).exclude(role="").order_by("unit__code", "name")
        )

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)


class AddMattersForm(forms.Form):
    matters = forms.ModelMultipleChoiceField(label="诉求", queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matters"].queryset = candidates


class SolutionForm(forms.Form):
    people_met = forms.CharField(label="见到的人", max_length=100, initial="户主本人")
    solution = forms.CharField(label="商定的解决办法", widget=forms.Textarea(attrs={"rows": 3}))


# Echo cards.


class CardBatchForm(forms.Form):
    unit = forms.ModelChoiceField(label="发卡单位", queryset=Unit.objects.none())
    count = forms.IntegerField(label="张数", min_value=1, max_value=1000, initial=40)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CardHandOutForm(forms.Form):
    number = forms.CharField(label="回音卡卡号", max_length=40)


class CardVoidForm(forms.Form):
    number = forms.CharField(label="卡号", max_length=40)
    reason = forms.CharField(label="作废原因", max_length=100, help_text="如:遗失、损坏、填错。")


class EchoForm(forms.Form):
    """The public echo-back page: no login, so only what the resident must give."""

    number = forms.CharField(label="回音卡卡号", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    code = forms.CharField(label="验证码", max_length=8, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    content = forms.CharField(label="您想说的事", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    resident_name = forms.CharField(label="您的称呼(可不填)", max_length=32, required=False)
    resident_phone = forms.CharField(label="联系电话(可不填)", max_length=20, required=False)


class StatusForm(forms.Form):
    reference = forms.CharField(label="查询编号", max_length=20)
    password = forms.CharField(label="查询密码", max_length=12, widget=forms.PasswordInput)


class RatingForm(forms.Form):
    """The resident's rating of the answer, given on the status page."""

    outcome = forms.ChoiceField(
        label="您对答复满意吗?",
        choices=[(value, TalkRoomCallback.Outcome(value).label) for value in RATINGS],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意、基本满意或不满意。"},
    )
    note = bounded_text("您的意见(可不填)", NOTE_MAX_LENGTH, required=False)


# The flow.


class AnalyseForm(forms.Form):
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    urgency = forms.ChoiceField(label="紧急程度", choices=Matter.Urgency.choices)
    note = bounded_text("研判意见", NOTE_MAX_LENGTH, required=False)


class MergeForm(forms.Form):
    """Pick the matter this one duplicates from the suggestions, or type its 12-digit reference."""

    into = forms.ChoiceField(label="可能重复的诉求", required=False, widget=forms.RadioSelect)
    into_reference = forms.RegexField(
        label="或填写查询编号",
        regex=r"^\s*\d{12}\s*$",
        required=False,
        error_messages={"invalid": "查询编号是12位数字。"},
    )

    def __init__(self, *args, suggestions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        self.fields["into"].choices = [
            (m.reference, f"{m.reference} · {m.content[:30]}({'、'.join(reasons)})") for m, reasons in suggestions
        ]
        if not suggestions:
            del self.fields["into"]
            self.fields["into_reference"].label = "合并到(查询编号)"
            self.fields[
                "into_reference"
            ].help_text = "没有找到同户、同卡、同一反映人或同村的相似诉求;如确有重复,请填写那件诉求的12位查询编号。"

    def clean(self):
        data = super().clean()
        reference = (data.get("into") or data.get("into_reference") or "").strip()
        if not reference and not self.errors:
            raise forms.ValidationError("请从可能重复的诉求中选择一件,或填写它的12位查询编号。")
        data["reference"] = reference
        return data


class DispatchForm(forms.Form):
    assigned_unit = forms.ModelChoiceField(label="承办单位或部门", queryset=Unit.objects.order_by("kind", "code"))
    assignee = forms.ModelChoiceField(label="承办民警(可不选)", queryset=User.objects.none(), required=False)
    note = forms.CharField(
        label="分流说明", max_length=NOTE_MAX_LENGTH, required=False, error_messages={"max_length": TOO_LONG}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            User.objects.filter(is_active=True, role__in=[User.Role.OFFICER, User.Role.DUTY_OFFICER])
            .select_related("unit")
            .order_by("unit__code", "name")
        )
        self.fields["assignee"].label_from_instance = lambda u: f"{u.name or u.username}({u.unit})"


class NoteForm(forms.Form):
    note = bounded_text("说明", NOTE_MAX_LENGTH)


class CloseForm(forms.Form):
    result = bounded_text("办理结果", RESULT_MAX_LENGTH, rows=3)
    reply_method = forms.ChoiceField(label="如何告知群众", choices=Matter.ReplyMethod.choices)


class HandOverForm(forms.Form):
    to_user = forms.ModelChoiceField(label="移交给", queryset=User.objects.none())
    note = bounded_text("交接说明", NOTE_MAX_LENGTH)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        station = actor.unit.parent if actor.unit and actor.unit.parent_id else actor.unit
        self.fields["to_user"].queryset = (
            User.objects.filter(is_active=True, unit__in=unit_subtree(station)).exclude(pk=actor.pk).order_by("name")
            if station
            else User.objects.none()
        )


# Talk rooms.


class WalkInForm(forms.Form):
    channel = forms.ChoiceField(
        label="渠道",
        choices=[
            (c, Matter.Channel(c).label)
            for c in (Matter.Channel.TALK_ROOM, Matter.Channel.PHONE, Matter.Channel.POST_BOX)
        ],
        initial=Matter.Channel.TALK_ROOM,
    )
    content = bounded_text("群众反映的事", CONTENT_MAX_LENGTH, rows=4)
    resident_name = forms.CharField(label="反映人", max_length=32)
    resident_phone = forms.CharField(label="联系电话", max_length=20, required=False)


class DutyShiftForm(forms.Form):
    officer = forms.ModelChoiceField(label="值班民警", queryset=User.objects.none())
    starts_at = forms.DateTimeField(label="开始", **_DATETIME)
    ends_at = forms.DateTimeField(label="结束", **_DATETIME)

    def __init__(self, *args, police_room: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(unit=police_room, is_active=True).order_by("name")


class CallbackForm(forms.Form):
    outcome = forms.ChoiceField(label="回访结果", choices=TalkRoomCallback.Outcome.choices)
    note = bounded_text("回访情况", NOTE_MAX_LENGTH, required=False)
