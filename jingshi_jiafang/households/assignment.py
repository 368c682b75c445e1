"""批量分配责任民警: the station head's pages. The villages with households lacking an officer, a village's such
households, then a confirmation that names how many households go to whom before anything is written."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.assignment import (
    MAX_BATCH,
    assignable_officers,
    get_assignable_village,
    households_assign_in_bulk,
    unlinked_by_village,
    unlinked_households,
)
from jingshi_jiafang.core.models import Area, User
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required
from jingshi_jiafang.core.services import LinkError

HEAD_ONLY = "只有派出所所长等单位负责人可以分配责任民警。"


class HouseholdIdsField(forms.TypedMultipleChoiceField):
    """Ticked household ids: any whole numbers here; which of them belong to the village the form checks in one
    query, instead of listing a village's households as choices."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class BulkAssignForm(forms.Form):
    ALL, SELECTED = "all", "selected"

    officer = forms.ModelChoiceField(
        label="责任民警",
        queryset=User.objects.none(),
        empty_label="请选择…",
        error_messages={"required": "请选择责任民警。", "invalid_choice": "只能选择本单位的民警。"},
    )
    scope = forms.ChoiceField(
        label="分配范围",
        choices=[(ALL, "该村全部未分配的户"), (SELECTED, "仅勾选的户")],
        initial=ALL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    # Ticked on the list (at most a page of them); on the confirmation, every household confirmed, as one field so
    # that a village of thousands stays within the form's field limit.
    households = HouseholdIdsField(
        label="勾选的户", required=False, coerce=int, error_messages={"invalid_choice": "所勾选的户无效,请重新选择。"}
    )
    confirmed_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, head: User, village: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.unlinked = unlinked_households(villages=Area.objects.filter(pk=village.pk))
        officers = assignable_officers(head=head).select_related("unit").order_by("name")
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda officer: f"{officer.name}({officer.unit})"

    def clean_households(self):
        # Only households of this village may be ticked; one query checks them all.
        wanted = set(self.cleaned_data["households"])
        found = set(self.village.households.filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - found:
            raise forms.ValidationError("所勾选的户不属于该村/居,请重新选择。")
        return sorted(wanted)

    def clean_confirmed_ids(self):
        text = self.cleaned_data["confirmed_ids"].strip()
        try:
            ids = sorted({int(part) for part in text.split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError("确认的户无效,请重新选择。") from None
        if len(ids) > MAX_BATCH:
            raise forms.ValidationError(f"一次最多分配 {MAX_BATCH} 户。")
        return ids

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned["confirmed"]:
            if not cleaned["confirmed_ids"]:
                self.add_error(None, "没有要分配的户,请重新选择。")
            cleaned["household_ids"] = cleaned["confirmed_ids"]
        elif cleaned["scope"] == self.SELECTED:
            cleaned["household_ids"] = cleaned["households"]
            if not cleaned["households"]:
                self.add_error("households", "请勾选要分配的户,或选择“该村全部未分配的户”。")
        elif cleaned["households"]:
            # Boxes ticked under "the whole village" say two things; the head says which, rather than ticking a
            # few households and confirming the whole village's without noticing.
            self.add_error(
                "scope",
                f"已勾选 {len(cleaned['households'])} 户,但分配范围是“该村全部未分配的户”。"
                "只分配勾选的户请选“仅下面勾选的户”;要分配全村,请取消勾选。",
            )
        else:
            # The households the head confirms are those unlinked now; any linked before the confirmation is sent
            # are skipped then, and counted.
            ids = list(self.unlinked.order_by("pk").values_list("pk", flat=True)[: MAX_BATCH + 1])
            if not ids:
                self.add_error(None, "该村已没有未分配责任民警的户。")
            elif len(ids) > MAX_BATCH:
                self.add_error(None, f"该村未分配的户超过 {MAX_BATCH} 户,请分批勾选分配。")
            cleaned["household_ids"] = ids
        return cleaned


@capability_required(can.may_reassign_households, HEAD_ONLY)
def unlinked_village_list(request):
    rows = unlinked_by_village(head=request.user)
    context = {"rows": rows, "total": sum(row.unlinked for row in rows)}
    return render(request, "households/unlinked_list.html", context)


def _village_context(request, village: Area, form: BulkAssignForm) -> dict:
    households = form.unlinked.select_related("village").order_by("address", "pk")
    # A form sent back with an error keeps the boxes the head ticked.
    ticked = {int(pk) for pk in form.data.getlist("households") if pk.isdigit()} if form.is_bound else set()
    return {"village": village, "form": form, "ticked": ticked, **paginate(request, households)}


@capability_required(can.may_reassign_households, HEAD_ONLY)
def unlinked_village(request, pk: int):
    village = get_assignable_village(request.user, pk)
    form = BulkAssignForm(head=request.user, village=village)
    return render(request, "households/unlinked_village.html", _village_context(request, village, form))


@require_POST
@capability_required(can.may_reassign_households, HEAD_ONLY)
def unlinked_assign(request, pk: int):
    """First post: check the choice and show the confirmation. Second post (confirmed): write it."""
    village = get_assignable_village(request.user, pk)
    form = BulkAssignForm(request.POST, head=request.user, village=village)
    if not form.is_valid():
        return render(request, "households/unlinked_village.html", _village_context(request, village, form), status=400)
    officer, ids = form.cleaned_data["officer"], form.cleaned_data["household_ids"]
    if not form.cleaned_data["confirmed"]:
        context = {"village": village, "officer": officer, "ids": ",".join(map(str, ids)), "count": len(ids)}
        return render(request, "households/unlinked_confirm.html", context)
    try:
        result = households_assign_in_bulk(
            village=village, officer=officer, household_ids=ids, actor=request.user, request=request
        )
    except LinkError as error:
        form.add_error(None, str(error))
        return render(request, "households/unlinked_village.html", _village_context(request, village, form), status=400)
    skipped = f"另有 {result.skipped} 户在此期间已有责任民警,未作改动。" if result.skipped else ""
    messages.success(request, f"已将{village.name} {result.assigned} 户分配给{officer.name}。{skipped}")
    return redirect("households:unlinked_list")
