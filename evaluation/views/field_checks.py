"""实地考核 pages: recording a check of a visit or of a ledger item, and the list of checks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from evaluation.forms.field_checks import FieldCheckFilterForm, FieldCheckForm
from evaluation.selectors import field_checks as selectors
from evaluation.services.field_checks import FieldCheckError, field_check_record
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required
from ledger.scopes import get_ledger_item_for_user
from visits.scopes import get_visit_for_user

NOT_EVALUATOR = "实地考核由民意访评中心记录。"


@capability_required(can.may_record_field_checks, NOT_EVALUATOR)
def field_check_list(request):
    filter_form = FieldCheckFilterForm(request.GET or None)
    checks = filter_form.filter(selectors.field_check_list(user=request.user))
    one_only = request.GET.get("id", "").isdigit()
    if one_only:
        checks = checks.filter(pk=int(request.GET["id"]))
    context = {"filter_form": filter_form, "one_only": one_only, **paginate(request, checks)}
    return render(request, "evaluation/field_checks/field_check_list.html", context)


def _record(request, *, visit=None, ledger_item=None):
    if not can.may_record_field_checks(request.user):
        raise PermissionDenied(NOT_EVALUATOR)
    subject = visit or ledger_item
    household = subject.household
    initial = {"place": household.address if household is not None else ""}
    form = FieldCheckForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            check = field_check_record(
                actor=request.user, visit=visit, ledger_item=ledger_item, request=request, **form.cleaned_data
            )
        except FieldCheckError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"实地考核已记录:{check.get_result_display()}。")
            return redirect(check.get_absolute_url())
    context = {
        "form": form,
        "visit": visit,
        "ledger_item": ledger_item,
        "household": household,
        "earlier": subject.field_checks.select_related("checked_by"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/field_checks/field_check_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def field_check_for_visit(request, pk: int):
    return _record(request, visit=get_visit_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def field_check_for_ledger_item(request, pk: int):
    return _record(request, ledger_item=get_ledger_item_for_user(request.user, pk))
