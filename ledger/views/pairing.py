"""结对联建 pages: the compliance page and recording a contact."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Unit
from jingshi_jiafang.core.pagination import CappedPaginator
from ledger.forms import PairingComplianceFilterForm, PairingContactForm
from ledger.selectors import pairing as selectors
from ledger.services.pairing import PairingError, pairing_contact_record


@login_required
def pairing_compliance(request):
    if not can.may_read_pairing(request.user):
        raise PermissionDenied("结对联建考核只对局领导、中层干部和民意访评中心开放。")
    visible = selectors.pairings_visible_to(request.user)
    units = Unit.objects.filter(members__pairing_links__in=visible).distinct()
    filters = PairingComplianceFilterForm(request.GET, units=units)
    today = timezone.localdate()
    period = selectors.period_of(filters.value("period", "week"), filters.value("day", today))
    pairings = selectors.pairings_in_period(visible, period).select_related("user__unit", "household__village__parent")
    if unit := filters.value("unit"):
        pairings = pairings.filter(user__unit=unit)
    results = selectors.pairing_compliance(
        pairings=list(pairings.order_by("user__unit__code", "user__name")), period=period, today=today
    )
    totals = selectors.totals_by_unit(results)
    if filters.value("behind"):
        results = [result for result in results if result.missed]
    page = CappedPaginator(results, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "period": period,
        "previous": period.shifted(-1),
        # Nothing is owed for a period that has not begun, so the page does not lead past the current one; a
        # future date typed in shows every pair as 未开始.
        "next": period.shifted(1) if period.end < today else None,
        "not_started": period.start > today,
        "judged": selectors.DUTY_OF[period.kind][0],
        "page": page,
        "query": query.urlencode(),
        "totals": totals,
        "pair_total": sum(total.pairs for total in totals),
        "missed_total": sum(total.missed for total in totals),
        "rule": selectors.duty_rule(),
    }
    return render(request, "ledger/pairing_compliance.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pairing_contact_create(request):
    if not can.may_be_paired(request.user):
        raise PermissionDenied("只有局领导和中层干部有结对户。")
    pairing = selectors.active_pairing_of(request.user)
    form = PairingContactForm(request.POST or None)
    if request.method == "POST" and pairing is not None and form.is_valid():
        try:
            pairing_contact_record(
                pairing=pairing,
                actor=request.user,
                day=form.cleaned_data["day"],
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
            )
        except PairingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已记录与{pairing.household}的联系。")
            return redirect("home")
    duty = selectors.pairing_duty(user=request.user)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "ledger/pairing_contact_form.html", {"pairing": pairing, "form": form, "duty": duty}, status=status
    )
