import re
import uuid
from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone

from feedback.models import Category, Matter, TalkRoomCallback, TopicVisit
from feedback.models.matters import CONTENT_MAX_LENGTH, NOTE_MAX_LENGTH, RESULT_MAX_LENGTH
from feedback.selectors import RATINGS, TOPIC_VISIT_CATEGORIES, merge_suggestions
from feedback.services.matters import reply_method_problem
from feedback.services.talkroom import duty_shift_times_error, next_changeover
from jingshi_jiafang.core.capabilities import CASE_ROLES
from jingshi_jiafang.core.forms import PhoneField
from jingshi_jiafang.core.models import Unit, User
from jingshi_jiafang.core.scopes import county_units, unit_subtree

TOO_LONG = "内容太长:最多 %(limit_value)d 个字,现在有 %(show_value)d 个字。请精简后再提交。"


def bounded_text(label: str, max_length: int, *, required: bool = True, rows: int = 2) -> forms.CharField:
    """A text a person writes, bounded to what a person writes; the browser stops at the bound too."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": TOO_LONG},
    )


# The first line of every select, so an unchanged form never saves a choice nobody made.
CHOOSE = "请选择…"
# A phone keyboard with digits: a resident types a phone number, an officer a reference read out to them.
PHONE_INPUT = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
_REFERENCE_SEPARATORS = re.compile(r"[\s\-]+")


def phone_field(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return PhoneField(label=label, max_length=20, required=required, help_text=help_text, widget=PHONE_INPUT)


class ReferenceField(forms.RegexField):
    """A matter's 12-digit reference, as a person types it: the spaces or dashes they group it with (as it is read
    out, "2611 2931 8614") are dropped."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        kwargs.setdefault("error_messages", {"invalid": "查询编号是12位数字。"})
        super().__init__(regex=r"^\d{12}$", max_length=30, **kwargs)

    def to_python(self, value):
        return _REFERENCE_SEPARATORS.sub("", super().to_python(value))


_DATETIME = {
    "input_formats": ["%Y-%m-%dT%H:%M"],
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
}


EXPIRED_FORM = "页面已过期,请刷新本页后重新填写。"


class KeptKeyInput(forms.HiddenInput):
    """A submission key the browser fills in again on 后退 with the rest of the form (static/js/kept_key.js): it
    restores a text field, never a hidden one, so the form came back under a new key and was sent twice."""

    input_type = "text"
    is_hidden = True  # shown nowhere, rendered without a label like a hidden input

    def __init__(self):
        super().__init__(attrs={"hidden": True, "data-kept-key": True})


class TopicVisitForm(forms.ModelForm):
    month = forms.DateField(
        label="月份", input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    )
    # Rendered by the template as ticks grouped by unit (templates/feedback/_staff_picker.html): a county's
    # 1,500 names in one multi-select wanted Ctrl on a desktop and could not be used on a phone.
    staff = forms.ModelMultipleChoiceField(
        label="参加人员", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    # A new key each time the form is shown: a double tap, or 后退 and 创建 again, creates one topic visit.
    submission_key = forms.UUIDField(
        widget=KeptKeyInput, error_messages={"required": EXPIRED_FORM, "invalid": EXPIRED_FORM}
    )

    class Meta:
        model = TopicVisit
        fields = ["title", "category", "month", "departments", "staff"]
        error_messages = {"departments": {"required": "请填写参加入户的部门,如:法制大队、治安大队、城东派出所。"}}

    def __init__(self, *args, user: User, topic: tuple[date, str] | None = None, candidates=None, **kwargs):
        """`user`: the leader, who takes people of their own county. `topic`: a closed month and a topic picked to
        start from; the month and topic are then fixed, and the leader ticks which of `candidates` (its open
        matters in their reach) to take along."""
        initial = {"month": timezone.localdate().replace(day=1), "submission_key": uuid.uuid4()}
        if topic:
            month, category = topic
            initial = {
                "submission_key": initial["submission_key"],
                "month": month,
                "category": category,
                "title": f"{month:%Y年%m月}{Category(category).label}专题家访",
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["category"].choices = [("", CHOOSE), *TOPIC_VISIT_CATEGORIES]
        # The people of the bureau's work: the administrators keep the system and do not go into homes.
        self.fields["staff"].queryset = (
            User.objects.filter(is_active=True, role__in=CASE_ROLES, unit__in=county_units(user))
            .select_related("unit")
            .order_by("unit__code", "name")
        )
        if topic:
            self.fields["month"].disabled = self.fields["category"].disabled = True
        if candidates is not None:
            self.fields["matters"] = forms.ModelMultipleChoiceField(
                label="带去入户的诉求", queryset=candidates, required=False, widget=forms.CheckboxSelectMultiple
            )

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)

    def staff_groups(self) -> list[tuple[str, list[tuple[User, bool]]]]:
        """The people who may join, by unit (namesakes told apart by their unit), each with whether it is ticked."""
        ticked = {str(pk) for pk in self["staff"].value() or []}
        groups: dict[str, list[tuple[User, bool]]] = {}
        for person in self.fields["staff"].queryset:
            unit = person.unit.name if person.unit else "未分配单位"
            groups.setdefault(unit, []).append((person, str(person.pk) in ticked))
        return list(groups.items())


class TopicPickForm(forms.Form):
    """A closed month's topic a leader starts a topic visit from (the links on the start page)."""

    month = forms.DateField(input_formats=["%Y-%m"])
    category = forms.ChoiceField(choices=TOPIC_VISIT_CATEGORIES)


class AddMattersForm(forms.Form):
    matters = forms.ModelMultipleChoiceField(
        label="诉求", queryset=None, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matters"].queryset = candidates
        self.fields["matters"].label_from_instance = _candidate_label


def _candidate_label(matter) -> str:
    taken = getattr(matter, "taken", False)
    return f"{matter.reference} {matter}{'(已列入其他专题家访)' if taken else ''}"


class SolutionForm(forms.Form):
    # Each empty field says what to write, as the visit form's 见到的人 does, rather than Django's generic words.
    people_met = forms.CharField(
        label="见到的人",
        max_length=100,
        initial="户主本人",
        error_messages={"required": "请填写,如:户主本人、其妻子。"},
    )
    solution = bounded_text("商定的解决办法", CONTENT_MAX_LENGTH, rows=3)
    solution.error_messages["required"] = "请写下与群众当面商定的解决办法。"


# Echo cards.


class CardBatchForm(forms.Form):
    # A new key each time the form is shown: a double tap or a resend of this form issues one batch.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(label="发卡单位", queryset=Unit.objects.none(), empty_label=CHOOSE)
    count = forms.IntegerField(label="张数", min_value=1, max_value=1000, initial=40)

    def __init__(self, *args, units, **kwargs):
        kwargs["initial"] = {"submission_key": uuid.uuid4(), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CardHandOutForm(forms.Form):
    """Pick the card from the unit's stock, or type only the sequence number printed at the end of its number."""

    card = forms.ChoiceField(label="从本单位库存中选择", required=False)
    number = forms.CharField(
        label="或输入卡号序号",
        max_length=40,
        required=False,
        help_text="卡号最后一段的数字,如 123(前面的 0 可不输);也可输入完整卡号。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, stock: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        empty = "— 选择一张库存卡 —" if stock else "— 本单位没有库存卡 —"
        self.fields["card"].choices = [("", empty), *((number, number) for number in stock)]
        if stock:
            self.fields["number"].widget.attrs["placeholder"] = f"如 {int(stock[0].rsplit('-', 1)[-1])}"

    def clean(self):
        cleaned = super().clean()
        picked, typed = cleaned.get("card"), cleaned.get("number")
        if picked and typed:
            raise forms.ValidationError("请只用一种方式:从列表中选择,或输入序号。")
        if not (picked or typed) and not self.errors:
            raise forms.ValidationError("请从库存中选择一张卡,或输入卡号序号。")
        cleaned["chosen"] = picked or typed
        return cleaned


class CardVoidForm(forms.Form):
    number = forms.CharField(label="卡号", max_length=40)
    reason = forms.CharField(label="作废原因", max_length=100, help_text="如:遗失、损坏、填错。")


class EchoForm(forms.Form):
    """The public echo-back page: no login, so only what the resident must give."""

    number = forms.CharField(label="回音卡卡号", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    code = forms.CharField(label="验证码", max_length=8, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    content = bounded_text("您想说的事", CONTENT_MAX_LENGTH, rows=5)
    resident_name = forms.CharField(label="您的称呼(可不填)", max_length=32, required=False)
    resident_phone = phone_field("联系电话(可不填)", help_text="留下电话,民警办理时可以直接联系您。")
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = {"submission_key": uuid.uuid4(), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)


class StatusForm(forms.Form):
    reference = ReferenceField(label="查询编号")
    password = forms.CharField(
        label="查询密码",
        max_length=12,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


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


class MatterActionForm(forms.Form):
    """The form of an action on a matter's page (the registry in feedback/workflows.py names it): built for the
    person acting and the matter, which a form may use for its choices and initial values."""

    def __init__(self, *args, user: User, matter: Matter, **kwargs):
        super().__init__(*args, **kwargs)


class AnalyseForm(MatterActionForm):
    # The form opens on the category of record or else on the classifier's suggestion, with how sure it is, so
    # the dispatcher checks it rather than starts from nothing. Without either nothing is pre-selected: an
    # unchanged form would file the matter under the first category.
    category = forms.ChoiceField(
        label="类别", choices=[("", CHOOSE), *Category.choices], error_messages={"required": "请选择类别。"}
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=Matter.Urgency.choices)
    note = bounded_text("研判意见", NOTE_MAX_LENGTH, required=False)

    def __init__(self, *args, matter: Matter, **kwargs):
        kwargs.setdefault(
            "initial", {"category": matter.category or matter.category_suggested, "urgency": matter.urgency}
        )
        super().__init__(*args, matter=matter, **kwargs)
        if matter.category_confirmed_at:
            self.fields["category"].help_text = f"法制部门已确认类别为“{matter.get_category_display()}”,研判不能更改。"
        elif matter.category_suggested and not matter.category:
            self.fields["category"].help_text = (
                f"系统建议“{matter.get_category_suggested_display()}”,把握 {matter.suggestion_percent}%"
                f"{'(把握不大,请仔细判断)' if matter.suggestion_is_doubtful else ''}。请核对后保存。"
            )


class MergeForm(MatterActionForm):
    """Pick the matter this one duplicates from the suggestions, or type its 12-digit reference."""

    into = forms.ChoiceField(label="可能重复的诉求", required=False, widget=forms.RadioSelect)
    into_reference = ReferenceField(label="或填写查询编号", required=False)

    def __init__(self, *args, user: User, matter: Matter, **kwargs):
        super().__init__(*args, user=user, matter=matter, **kwargs)
        self.suggestions = suggestions = merge_suggestions(matter=matter, user=user)
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
        reference = data.get("into") or data.get("into_reference") or ""
        if not reference and not self.errors:
            raise forms.ValidationError("请从可能重复的诉求中选择一件,或填写它的12位查询编号。")
        data["reference"] = reference
        return data


class OfficerSelect(forms.Select):
    """Officers grouped by unit, each option naming its unit (`data-unit`): static/js/narrowed_by.js offers only
    the officers of the unit chosen above, not the county's thousand. Without the script every group shows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_of: dict[str, int] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.unit_of:
            option["attrs"]["data-unit"] = self.unit_of[str(value)]
        return option


class DispatchForm(MatterActionForm):
    assigned_unit = forms.ModelChoiceField(
        label="承办单位或部门", queryset=Unit.objects.order_by("kind", "code"), empty_label=CHOOSE
    )
    assignee = forms.ModelChoiceField(
        label="承办民警(可不选)",
        queryset=User.objects.none(),
        required=False,
        widget=OfficerSelect,
        help_text="只能选所选承办单位的民警;不选则由该单位的民警认领(谁开始处理就由谁承办)。",
    )
    note = forms.CharField(
        label="分流说明", max_length=NOTE_MAX_LENGTH, required=False, error_messages={"max_length": TOO_LONG}
    )

    def __init__(self, *args, user: User, matter: Matter, **kwargs):
        kwargs.setdefault("initial", {"assigned_unit": matter.unit_id})
        super().__init__(*args, user=user, matter=matter, **kwargs)
        # The dispatcher's own county: a database holding several counties offers none of the others' units.
        units = county_units(user)
        self.fields["assigned_unit"].queryset = units.order_by("kind", "code")
        officers = (
            User.objects.filter(is_active=True, role__in=[User.Role.OFFICER, User.Role.DUTY_OFFICER], unit__in=units)
            .select_related("unit")
            .order_by("unit__kind", "unit__code", "name")
        )
        self.fields["assignee"].queryset = officers
        # One group per unit: the officer is picked under the unit chosen above.
        groups: dict[Unit, list] = {}
        for officer in officers:
            groups.setdefault(officer.unit, []).append((officer.pk, officer.name or officer.username))
        self.units_with_officers = [unit.pk for unit in groups]
        widget = self.fields["assignee"].widget
        widget.unit_of = {str(officer.pk): officer.unit_id for officer in officers}
        widget.attrs["data-narrowed-by"] = self.add_prefix("assigned_unit")
        self.fields["assignee"].choices = [
            ("", "不指定民警(交单位办理)"),
            *((str(unit), items) for unit, items in groups.items()),
        ]

    def clean(self):
        cleaned = super().clean()
        unit, officer = cleaned.get("assigned_unit"), cleaned.get("assignee")
        if unit and officer and officer.unit_id != unit.pk:
            self.add_error("assignee", f"{officer}属于{officer.unit},不属于{unit}。请选择{unit}的民警,或不指定民警。")
        return cleaned


class ReassignForm(DispatchForm):
    """改派: the dispatch form, opened on who has the matter now."""

    def __init__(self, *args, user: User, matter: Matter, **kwargs):
        kwargs.setdefault("initial", {"assigned_unit": matter.assigned_unit_id, "assignee": matter.assignee_id})
        super().__init__(*args, user=user, matter=matter, **kwargs)
        self.fields["note"].label = "改派说明"
        if matter.state == Matter.State.HANDLING:
            # A unit's officers take a matter by 开始处理, behind it now: the form must not offer the unit alone.
            assignee = self.fields["assignee"]
            assignee.label, assignee.required = "承办民警", True
            assignee.error_messages["required"] = "正在处理的诉求改派时请指定承办民警。"
            assignee.help_text = "正在处理的诉求须改派给一位民警:只能选所选承办单位的民警。"
            assignee.choices = [("", CHOOSE), *assignee.choices[1:]]
            # Nor a unit with nobody to name (a department without officers): it could only be refused.
            unit = self.fields["assigned_unit"]
            unit.queryset = unit.queryset.filter(pk__in=self.units_with_officers)


class NoteForm(MatterActionForm):
    note = bounded_text("说明", NOTE_MAX_LENGTH)


class CloseForm(MatterActionForm):
    result = bounded_text("办理结果", RESULT_MAX_LENGTH, rows=3)
    reply_method = forms.ChoiceField(
        label="如何告知群众",
        choices=[("", CHOOSE), *Matter.ReplyMethod.choices],
        error_messages={"required": "请选择如何告知群众。"},
    )

    def __init__(self, *args, matter: Matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.matter = matter
        if not matter.contact_phone:
            self.fields["reply_method"].help_text = "这件诉求没有联系电话,不能电话答复。"

    def clean_reply_method(self):
        # The service refuses it too; here the reason lands on the field, with the form as it was typed.
        reply_method = self.cleaned_data["reply_method"]
        problem = reply_method_problem(self.matter, reply_method)
        if problem:
            raise forms.ValidationError(problem)
        return reply_method


class HandOverForm(MatterActionForm):
    to_user = forms.ModelChoiceField(label="移交给", queryset=User.objects.none(), empty_label=CHOOSE)
    note = bounded_text("交接说明", NOTE_MAX_LENGTH)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # A room's people hand on within their station; a station head's parent is the bureau, whose subtree
        # would offer the whole county, so a station (or department) hands on within itself.
        room = user.unit is not None and user.unit.kind == Unit.Kind.POLICE_ROOM
        station = user.unit.parent if room else user.unit
        people = (
            User.objects.filter(is_active=True, unit__in=unit_subtree(station))
            .exclude(pk=user.pk)
            .select_related("unit")
            .order_by("unit__code", "name")
            if station
            else User.objects.none()
        )
        self.fields["to_user"].queryset = people
        # A station's people are many and their names say nothing of where they work: one group per unit, the
        # giver's own room (the next duty officer) first, each name with its post.
        groups: dict[Unit, list] = {}
        for person in people:
            groups.setdefault(person.unit, []).append(
                (person.pk, f"{person}({person.post})" if person.post else str(person))
            )
        ordered = sorted(groups.items(), key=lambda group: group[0] != user.unit)
        self.fields["to_user"].choices = [("", CHOOSE), *((str(unit), items) for unit, items in ordered)]


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
    resident_name = forms.CharField(label="反映人", max_length=32, required=False, help_text="信箱里的匿名来信可不填。")
    resident_phone = phone_field("联系电话", help_text="手机号 11 位,固定电话如 0527-83512345。")
    card_number = forms.CharField(
        label="回音卡编号",
        max_length=32,
        required=False,
        help_text="群众拿着(或念出)民警留下的回音卡时填写,如 SY-CD-2026-000123:这件事记在该卡和住户名下;"
        "这张卡反映过的事还没有办结时,追加到那件诉求里;已办结的,另登记为该户的新事。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, initial={"submission_key": uuid.uuid4()}, **kwargs)

    def clean(self):
        cleaned = super().clean()
        # Whoever comes in or calls is asked their name; a letter in the box may come unsigned.
        if cleaned.get("channel") != Matter.Channel.POST_BOX and not cleaned.get("resident_name", "").strip():
            self.add_error("resident_name", "请填写反映人。信箱里的匿名来信可不填。")
        return cleaned


class DutyShiftForm(forms.Form):
    officer = forms.ModelChoiceField(label="值班民警", queryset=User.objects.none(), empty_label=CHOOSE)
    starts_at = forms.DateTimeField(label="开始", **_DATETIME)
    ends_at = forms.DateTimeField(label="结束", **_DATETIME, help_text="一个班次最长 24 小时。")

    def __init__(self, *args, police_room: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(unit=police_room, is_active=True).order_by("name")

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and (error := duty_shift_times_error(starts_at, ends_at)):
            self.add_error(*error)
        return cleaned


class ShiftHoursQueryForm(forms.Form):
    """The hours an uncovered stretch's 排班 link puts into the add form; anything else is ignored."""

    shift_from = forms.DateTimeField(required=False, input_formats=_DATETIME["input_formats"])
    shift_to = forms.DateTimeField(required=False, input_formats=_DATETIME["input_formats"])

    def initial_hours(self) -> dict:
        if not self.is_valid():
            return {}
        hours = {"starts_at": self.cleaned_data["shift_from"], "ends_at": self.cleaned_data["shift_to"]}
        return {name: value for name, value in hours.items() if value}

    @staticmethod
    def query(start: datetime, end: datetime) -> dict:
        """The query string of an uncovered stretch's link: its hours up to the next changeover (08:00, 20:00), a
        shift as the room keeps them; a 24-hour one would cross a night-visit hour and be refused for any officer
        planned that evening."""
        end = min(end, next_changeover(start))
        return {
            name: f"{timezone.localtime(value):%Y-%m-%dT%H:%M}"
            for name, value in (("shift_from", start), ("shift_to", end))
        }


# The roster can be browsed this far from today; beyond it a date is a typing mistake, not a week to plan.
ROSTER_WINDOW_DAYS = 2 * 366


class RosterQueryForm(forms.Form):
    """The roster page's query string: which police room, from which day. A wrong value falls back to the
    default with a message, never an error page."""

    room = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)
    start = forms.DateField(required=False)

    def __init__(self, data, *, rooms, **kwargs):
        super().__init__({"room": data.get("room", ""), "start": data.get("from", "")}, **kwargs)
        self.fields["room"].queryset = rooms

    def clean_start(self):
        day = self.cleaned_data["start"]
        today = timezone.localdate()
        if day and abs(day - today) > timedelta(days=ROSTER_WINDOW_DAYS):
            raise forms.ValidationError("日期超出范围")
        return day


class CallbackForm(forms.Form):
    outcome = forms.ChoiceField(
        label="回访结果",
        choices=[("", CHOOSE), *TalkRoomCallback.Outcome.choices],
        error_messages={"required": "请选择回访结果。"},
    )
    note = bounded_text("回访情况", NOTE_MAX_LENGTH, required=False)


class TopicMonthForm(forms.Form):
    """Which month of the legal department's topic review, and which of its lists."""

    month = forms.DateField(
        label="月份",
        input_formats=["%Y-%m"],
        # Drawn by hand beside its button, not through crispy: the Bootstrap look is given here.
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control form-control-sm w-auto"}, format="%Y-%m"),
        error_messages={"invalid": "月份格式应为 年-月,例如 2026-10。"},
    )
    show = forms.ChoiceField(choices=[("pending", "待确认"), ("confirmed", "已确认")], required=False)


class TopicConfirmForm(TopicMonthForm):
    """One tap on a topic confirms it (or corrects the suggestion to it); the rest brings the reviewer back to the
    list and page they were on."""

    category = forms.ChoiceField(choices=Category.choices, error_messages={"required": "请选择类别。"})
    page = forms.IntegerField(min_value=1, required=False)
