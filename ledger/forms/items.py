from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.dates import BoundedDateField
from jingshi_jiafang.core.models import Area, User
from jingshi_jiafang.core.scopes import unit_subtree
from jingshi_jiafang.core.uploads import validate_upload
from ledger.models import LedgerItem
from ledger.models.items import DEFAULT_DEADLINE_DAYS, FOR_WHOM_MAX_LENGTH, NOTE_MAX_LENGTH, WHAT_MAX_LENGTH
from ledger.selectors.items import closed_between
from ledger.services.items import MAX_FILES_PER_STEP
from visits.filters import PeriodFilterForm

# The ledger page counts the last 30 days unless a period is asked for.
PERIOD_DAYS = 30


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or documents in one field, each checked by size and by its first bytes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if len(uploads) > MAX_FILES_PER_STEP:
            raise forms.ValidationError(f"每一步最多上传 {MAX_FILES_PER_STEP} 个文件。")
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        for upload in cleaned:
            try:
                validate_upload(upload)
            except forms.ValidationError as error:
                raise forms.ValidationError(f"{upload.name}:{error.messages[0]}") from None
        return cleaned


class StepForm(forms.Form):
    """A step of an item: what was done, and optionally photos or documents."""

    note = forms.CharField(
        label="说明", max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = MultipleFileField(label="照片或文件", required=False, help_text="JPG、PNG 或 PDF,每个最大 10 MB。")

    # One line under the step's heading on the item page: what this form is for, so look-alike forms are told apart.
    purpose = ""

    def __init__(self, *args, user=None, item=None, **kwargs):
        super().__init__(*args, **kwargs)


class DeliverForm(StepForm):
    """兑现: what was done is required; photos are welcome."""

    purpose = "写明做了什么,可附照片"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = True
        self.fields["note"].error_messages["required"] = "请写明兑现情况。"


class EvidenceForm(StepForm):
    """补充材料: a photo, a document or a note added to the item; its state stays as it is."""

    purpose = "只补充照片或文件,不改变状态"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = "JPG、PNG 或 PDF,每个最大 10 MB。说明和文件至少填一项。"

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("files") and not cleaned.get("note", "").strip():
            raise forms.ValidationError("请填写说明或选择要上传的文件。")
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(label="未兑现的情况", max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, item=None, **kwargs):
        super().__init__(*args, **kwargs)


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="退回原因",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="哪里还没有办到,退回后由责任人重新兑现。",
        error_messages={"required": "请写明退回原因。"},
    )

    def __init__(self, *args, user=None, item=None, **kwargs):
        super().__init__(*args, **kwargs)


class ItemOpenForm(forms.Form):
    """An item opened by hand from a visit or a household page."""

    what = forms.CharField(
        label="事项",
        max_length=WHAT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="承诺办的事或要解决的问题。",
        error_messages={"required": "请写明承诺办的事或要解决的问题。"},
    )
    for_whom = forms.CharField(
        label="服务对象", max_length=FOR_WHOM_MAX_LENGTH, required=False, help_text="默认为该户。"
    )
    responsible = forms.ModelChoiceField(label="责任人", queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["deadline"] = BoundedDateField(label="兑现期限", first=today)
        self.initial.setdefault("deadline", today + timedelta(days=DEFAULT_DEADLINE_DAYS))
        # A unit head may give the item to an officer of the unit; anyone else answers for what they open.
        people = User.objects.filter(pk=actor.pk)
        if can.may_head_unit(actor):
            people = (
                User.objects.filter(is_active=True, unit__in=unit_subtree(actor.unit)).filter(
                    role__in=[User.Role.OFFICER, User.Role.DUTY_OFFICER]
                )
                | people
            )
        self.fields["responsible"].queryset = people.order_by("name")
        self.initial.setdefault("responsible", actor.pk)


class LedgerFilterForm(PeriodFilterForm):
    """The unit ledger page's filters, and the period its counts and closure rate are for."""

    village = forms.ModelChoiceField(
        label="村/居", queryset=Area.objects.none(), required=False, empty_label="全部村/居"
    )
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源"), *LedgerItem.Source.choices])
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *LedgerItem.State.choices])
    overdue = forms.ChoiceField(label="超期", required=False, choices=[("", "全部"), ("1", "仅超期")])

    def __init__(self, data=None, *, villages: QuerySet[Area], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["village"].queryset = villages.select_related("parent").order_by("parent__name", "name")
        # `from` and `to` are the days an item was known (掌握); beside them, the days of a closing step (销号),
        # what the dashboard's 台账销号 counts: made here, as `from` and `to` are, so that the window around today
        # is read when the form is made.
        self.fields["from"].label, self.fields["to"].label = "掌握日期起", "掌握日期止"
        self.fields["closed_from"] = BoundedDateField(label="销号日期起", required=False)
        self.fields["closed_to"] = BoundedDateField(label="销号日期止", required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("closed_from"), cleaned.get("closed_to")
        if start and end and start > end:
            self.add_error("closed_to", "销号起始日期不能晚于截止日期。")
            cleaned.pop("closed_from", None)
        return cleaned

    def filter(self, items: QuerySet[LedgerItem], *, overdue_q) -> QuerySet[LedgerItem]:
        if self.value("village"):
            items = items.filter(household__village=self.value("village"))
        if self.value("source"):
            items = items.filter(source=self.value("source"))
        if self.value("state"):
            items = items.filter(state=self.value("state"))
        if self.value("overdue"):
            items = items.filter(overdue_q)
        if self.has_period:
            # The list and the print keep to the items opened (掌握) in the period: what the state counts count.
            start, end = self.period(default_days=PERIOD_DAYS)
            items = items.filter(created_at__date__gte=start, created_at__date__lte=end)
        if self.has_closed_period:
            # One closing within both bounds: an item closed before the days and again after them is not listed.
            items = items.filter(closed_between(self.value("closed_from"), self.value("closed_to")))
        return items

    def summary_period(self) -> tuple:
        """The days the summary counts: those of 掌握 when asked for; else the days of 销号 asked for (the
        dashboard's 台账销号 opens the list with them), so the summary speaks of the days the list is of."""
        start, end = self.period(default_days=PERIOD_DAYS)
        if self.lists_days_closed:
            end = self.value("closed_to") or timezone.localdate()
            start = self.value("closed_from") or end - timedelta(days=PERIOD_DAYS - 1)
        return start, end

    @property
    def has_period(self) -> bool:
        return bool(self.value("from") or self.value("to"))

    @property
    def lists_days_closed(self) -> bool:
        """Asked for days of 销号 alone (the dashboard's 台账销号): the summary is of those days and those items."""
        return self.has_closed_period and not self.has_period

    @property
    def has_closed_period(self) -> bool:
        return bool(self.value("closed_from") or self.value("closed_to"))

    @property
    def is_filtering(self) -> bool:
        return (
            self.has_period
            or self.has_closed_period
            or any(self.value(name) for name in ("village", "source", "state", "overdue"))
        )
