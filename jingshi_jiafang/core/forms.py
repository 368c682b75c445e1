from datetime import timedelta

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import timezone

from jingshi_jiafang.core.capabilities import area_link_kind
from jingshi_jiafang.core.dates import BoundedDateField
from jingshi_jiafang.core.models import Area, Household, PairingLink, Unit, User
from jingshi_jiafang.core.scopes import unit_subtree
from jingshi_jiafang.core.services import link_start_window
from jingshi_jiafang.core.uploads import validate_upload
from jingshi_jiafang.core.validators import normalize_phone, validate_phone


class PhoneField(forms.CharField):
    """A phone number as typed at a desk or a door: spaces dropped before the check ("138 1234 5678")."""

    default_validators = [validate_phone]

    def to_python(self, value):
        return normalize_phone(super().to_python(value))


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="动态口令",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
        help_text="手机身份验证器中显示的 6 位数字。",
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("动态口令为 6 位数字。")
        return token


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def clean(self):
        cleaned = super().clean()
        # "Must change password" is met only by a new one: re-entering the administrator's temporary password
        # would keep a password someone else knows.
        if cleaned.get("new_password1") and cleaned.get("new_password1") == cleaned.get("old_password"):
            self.add_error("new_password1", "新密码不能与原密码相同。")
        return cleaned


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "身份证号"), ("phone", "电话")])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=[("", "未分配")] + list(User.Role.choices), required=False)
    is_unit_head = forms.BooleanField(label="单位负责人(可查看本单位辖区)", required=False)


class UnitForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="所属单位",
        queryset=Unit.objects.order_by("code"),
        help_text="所属单位决定查看范围:单位负责人和值班民警查看本单位辖区,法制部门和民意访评中心查看本单位所在的县。",
    )


class AreaLinkForm(forms.Form):
    # A link starts when the assignment does: recorded up to a year late, or planned up to a year ahead.
    START_WINDOW = timedelta(days=366)

    area = forms.ModelChoiceField(label="联系区域", queryset=Area.objects.none())
    start_date = BoundedDateField(label="开始日期")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        kind = area_link_kind(user) or Area.Kind.VILLAGE
        self.fields["area"].queryset = Area.objects.filter(kind=kind).select_related("parent").order_by("code")
        self.fields["area"].label_from_instance = lambda area: area.full_name
        today = timezone.localdate()
        self.fields["start_date"] = BoundedDateField(
            label="开始日期", first=today - self.START_WINDOW, last=today + self.START_WINDOW
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(label="文件", help_text="JPG、PNG 或 PDF,最大 10 MB。")
    description = forms.CharField(label="说明", max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = validate_upload(upload)
        return upload


class AssignOfficerForm(forms.Form):
    officer = forms.ModelChoiceField(
        label="新的责任民警",
        queryset=User.objects.none(),
        empty_label="请选择…",
        error_messages={"required": "请选择新的责任民警。"},
    )

    def __init__(self, *args, head: User, **kwargs):
        super().__init__(*args, initial={"start_date": timezone.localdate()}, **kwargs)
        # The window is read when the form is made, so that it moves with today.
        first, last = link_start_window()
        self.fields["start_date"] = BoundedDateField(
            label="自何日起",
            first=first,
            last=last,
            help_text="当天两人都可走访该户,原责任民警的联系到这一天为止。",
        )
        self.fields["officer"].queryset = (
            User.objects.filter(role=User.Role.OFFICER, is_active=True, unit__in=unit_subtree(head.unit))
            .select_related("unit")
            .order_by("name")
        )
        # A head over several stations picks among namesakes and strangers: the unit tells them apart.
        self.fields["officer"].label_from_instance = lambda officer: f"{officer.name}({officer.unit})"


class PairingVillageForm(forms.Form):
    """First step of pairing: the village whose households in hardship are offered (a county has thousands)."""

    village = forms.ModelChoiceField(
        label="特困户所在村/居",
        queryset=Area.objects.filter(kind=Area.Kind.VILLAGE).select_related("parent"),
        error_messages={"required": "请先选择村/居,再列出该村的特困户。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].label_from_instance = lambda area: area.full_name


class PairingForm(forms.Form):
    household = forms.ModelChoiceField(label="结对特困户", queryset=Household.objects.none())
    start_date = BoundedDateField(label="开始日期")

    def __init__(self, *args, village: Area, **kwargs):
        super().__init__(*args, **kwargs)
        paired = PairingLink.objects.active().values("household")
        self.fields["household"].queryset = (
            Household.objects.filter(village=village, is_hardship=True)
            .exclude(pk__in=paired)
            .order_by("head_name", "pk")
        )
        self.fields["household"].label_from_instance = lambda household: f"{household}({household.members_count}口人)"
        first, last = link_start_window()
        self.fields["start_date"] = BoundedDateField(label="开始日期", first=first, last=last)
