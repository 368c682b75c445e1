"""Organisations (单位): the officer's list of the organisations linked to them, an organisation's page with its
visits, and the visit form for one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jingshi_jiafang.core.capabilities import may_visit
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.scopes import get_organisation_for_user, organisations_visitable_by
from visits import selectors, services
from visits.organisation_forms import OrganisationVisitForm
from visits.scopes import get_organisation_for_visit
from visits.views.visiting import visit_already_recorded


@login_required
def organisation_list(request):
    organisations = selectors.organisation_list(user=request.user)
    return render(request, "visits/organisation_list.html", paginate(request, organisations))


@login_required
def organisation_detail(request, pk: int):
    organisation = get_organisation_for_user(request.user, pk)
    context = {
        "organisation": organisation,
        "links": selectors.organisation_link_history(organisation=organisation),
        "may_visit": may_visit(request.user) and organisations_visitable_by(request.user).filter(pk=pk).exists(),
        **paginate(request, selectors.organisation_timeline(organisation=organisation)),
    }
    return render(request, "visits/organisation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_visit_create(request, pk: int):
    # As for a household (visit_create): a form sent again, by a double tap or from the phone once the signal is
    # back, lands on the visit it recorded before the form is checked again.
    if request.method == "POST" and (visit := visit_already_recorded(request)) is not None:
        messages.success(request, "这次走访已经保存过,没有重复记录。")
        return redirect(visit)
    organisation = get_organisation_for_visit(request.user, pk)
    form = OrganisationVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit, created = services.organisation_visit_log(
                visitor=request.user,
                organisation=organisation,
                submission_key=form.cleaned_data["submission_key"],
                details=form.visit_details(),
                findings=form.finding_inputs(),
                requests=form.request_lines(),
            )
        except services.VisitError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "走访已记录,已写入民情日记。" if created else "这次走访已经保存过,没有重复记录。")
            return redirect(visit)
    context = {"organisation": organisation, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "visits/organisation_visit_form.html", context, status=status)
