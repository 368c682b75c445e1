"""Logging visits and reading them back: the visit form, a visit, and the public-sentiment diary (民情日记)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from visits import selectors, services
from visits.filters import PeriodFilterForm
from visits.pagination import paginate
from visits.scopes import get_household_for_visit, get_visit_for_user, is_within_links
from visits.visit_forms import CorrectionFormSet, VisitForm, corrections_from


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk: int):
    household = get_household_for_visit(request.user, pk)
    within_links = is_within_links(request.user, household)
    form = VisitForm(request.POST or None, household=household, within_links=within_links)
    corrections = CorrectionFormSet(request.POST or None, prefix="corrections")
    if request.method == "POST" and form.is_valid() and corrections.is_valid():
        try:
            visit, created = services.visit_log(
                visitor=request.user,
                household=household,
                submission_key=form.cleaned_data["submission_key"],
                details=form.visit_details(),
                facts=form.fact_values(),
                corrections=corrections_from(corrections),
                findings=form.finding_inputs(),
                requests=form.request_lines(),
            )
        except services.VisitError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "走访已记录,已写入民情日记。" if created else "这次走访已经保存过,没有重复记录。")
            return redirect(visit)
    context = {"household": household, "form": form, "corrections": corrections, "within_links": within_links}
    return render(request, "visits/visit_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
def visit_detail(request, pk: int):
    visit = get_visit_for_user(request.user, pk)
    return render(request, "visits/visit_detail.html", {"visit": visit, **selectors.visit_outcomes(visit=visit)})


@login_required
def diary(request):
    filters = PeriodFilterForm(request.GET)
    month = filters.month()
    visits = selectors.diary_entries(user=request.user, month=month)
    context = {"month": month, "filter_errors": filters.errors_text(), **paginate(request, visits)}
    return render(request, "visits/diary.html", context)
