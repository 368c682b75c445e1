"""The security administrator's pages: roles, unit-head status, area links, pairing (结对联建), second-factor resets
(三权分立)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingshi_jiafang.core import accounts
from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.actors import SYSTEM_USERNAME
from jingshi_jiafang.core.capabilities import (
    CASE_ROLES,
    COUNTY_WIDE_ROLES,
    may_administer_security,
    may_be_paired,
    may_hold_area_links,
)
from jingshi_jiafang.core.forms import AreaLinkForm, PairingForm, PairingVillageForm, RoleForm, UnitForm
from jingshi_jiafang.core.models import AreaLink, User
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required

security_admin_only = capability_required(may_administer_security, "您的角色无权访问此页面。")


def _people():
    """Accounts of people: the system actor (the jobs' name in history) is no one's to give a role or a unit."""
    return User.objects.select_related("unit").exclude(username=SYSTEM_USERNAME)


def get_user_for_security_admin(actor: User, pk: int) -> User:
    """Any account but the security administrator's own: nobody edits their own role or scope."""
    try:
        return _people().exclude(pk=actor.pk).get(pk=pk)
    except User.DoesNotExist:
        raise Http404("没有找到该用户。") from None


@security_admin_only
def security_user_list(request):
    users = _people().order_by("unit__code", "username")
    text = request.GET.get("q", "").strip()
    if text:
        users = users.filter(Q(username__icontains=text) | Q(name__contains=text))
    role = request.GET.get("role", "")
    if role in User.Role.values or role == "none":
        users = users.filter(role="" if role == "none" else role)
    no_unit = request.GET.get("no_unit") == "1"
    if no_unit:
        users = users.filter(unit__isnull=True)
    context = {
        "roles": User.Role.choices,
        "q": text,
        "role": role,
        "no_unit": no_unit,
        **paginate(request, users),
    }
    for account in context["page"].object_list:
        account.missing_unit = _missing_unit(account)
    return render(request, "core/security_user_list.html", context)


def _missing_unit(user: User) -> str:
    """What a user without a unit cannot do: a county-wide department sees nothing, for its county is its unit's
    (scopes.county_units); any other role but the administrators' records no visit (scopes.households_visitable_by).
    Empty when the user has a unit or needs none."""
    if user.unit_id is not None:
        return ""
    if user.role in COUNTY_WIDE_ROLES:
        return "county"
    return "visits" if user.role in CASE_ROLES else ""


@security_admin_only
def security_user_detail(request, pk: int):
    user = get_user_for_security_admin(request.user, pk)
    village_form = PairingVillageForm(request.GET if "village" in request.GET else None)
    village = village_form.cleaned_data["village"] if village_form.is_valid() else None
    context = _detail_context(user, village=village, village_form=village_form if village_form.is_bound else None)
    return render(request, "core/security_user_detail.html", context)


def _detail_context(user: User, *, village=None, **forms) -> dict:
    pairing_form = forms.get("pairing_form") or (PairingForm(village=village) if village else None)
    return {
        "subject": user,
        "missing_unit": _missing_unit(user),
        "role_form": forms.get("role_form") or RoleForm(initial={"role": user.role, "is_unit_head": user.is_unit_head}),
        "unit_form": forms.get("unit_form") or UnitForm(initial={"unit": user.unit_id}),
        "link_form": forms.get("link_form") or AreaLinkForm(user=user),
        "links": user.area_links.select_related("area__parent").order_by("-start_date", "-pk"),
        "links_allowed": may_hold_area_links(user),
        "pairing_allowed": may_be_paired(user),
        "pairings": user.pairing_links.select_related("household__village__parent").order_by("-start_date", "-pk"),
        "village_form": forms.get("village_form") or PairingVillageForm(initial={"village": village}),
        "pairing_village": village,
        "pairing_form": pairing_form,
        "has_otp": accounts.has_confirmed_device(user),
    }


@require_POST
@security_admin_only
def security_user_role(request, pk: int):
    user = get_user_for_security_admin(request.user, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return render(request, "core/security_user_detail.html", _detail_context(user, role_form=form), status=400)
    accounts.user_role_change(user=user, actor=request.user, request=request, **form.cleaned_data)
    messages.success(request, f"已更新{user}的角色。")
    return redirect("core:security_user_detail", pk=user.pk)


@require_POST
@security_admin_only
def security_user_unit(request, pk: int):
    user = get_user_for_security_admin(request.user, pk)
    form = UnitForm(request.POST)
    if not form.is_valid():
        return render(request, "core/security_user_detail.html", _detail_context(user, unit_form=form), status=400)
    accounts.user_unit_change(user=user, actor=request.user, request=request, **form.cleaned_data)
    messages.success(request, f"已将{user}调整到{form.cleaned_data['unit']}。")
    return redirect("core:security_user_detail", pk=user.pk)


@require_POST
@security_admin_only
def security_area_link_add(request, pk: int):
    user = get_user_for_security_admin(request.user, pk)
    form = AreaLinkForm(request.POST, user=user)
    if form.is_valid():
        try:
            core_services.area_link_start(user=user, actor=request.user, request=request, **form.cleaned_data)
        except core_services.LinkError as error:
            form.add_error(None, str(error))
    if not form.is_valid():
        return render(request, "core/security_user_detail.html", _detail_context(user, link_form=form), status=400)
    messages.success(request, f"已为{user}增加联系区域{form.cleaned_data['area']}。")
    return redirect("core:security_user_detail", pk=user.pk)


@require_POST
@security_admin_only
def security_area_link_end(request, pk: int):
    try:
        link = AreaLink.objects.select_related("user", "area").exclude(user=request.user).get(pk=pk)
    except AreaLink.DoesNotExist:
        raise Http404("没有找到该联系。") from None
    try:
        core_services.area_link_end(link=link, actor=request.user, request=request)
        messages.success(request, f"已结束{link.user}对{link.area}的联系。")
    except core_services.LinkError as error:
        messages.error(request, str(error))
    return redirect("core:security_user_detail", pk=link.user_id)


@require_POST
@security_admin_only
def security_pairing_add(request, pk: int):
    user = get_user_for_security_admin(request.user, pk)
    if not may_be_paired(user):
        messages.error(request, "只有局领导和中层干部结对特困户。")
        return redirect("core:security_user_detail", pk=user.pk)
    village_form = PairingVillageForm(request.POST)
    if not village_form.is_valid():
        messages.error(request, "请先选择特困户所在的村/居。")
        return redirect("core:security_user_detail", pk=user.pk)
    village = village_form.cleaned_data["village"]
    form = PairingForm(request.POST, village=village)
    if form.is_valid():
        try:
            core_services.pairing_link_start(user=user, actor=request.user, request=request, **form.cleaned_data)
        except core_services.LinkError as error:
            form.add_error(None, str(error))
    if not form.is_valid():
        context = _detail_context(user, village=village, pairing_form=form)
        return render(request, "core/security_user_detail.html", context, status=400)
    messages.success(request, f"已将{user}与{form.cleaned_data['household']}结对。")
    return redirect("core:security_user_detail", pk=user.pk)


@require_POST
@security_admin_only
def security_otp_reset(request, pk: int):
    user = get_user_for_security_admin(request.user, pk)
    accounts.otp_reset(user=user, actor=request.user, request=request)
    messages.success(request, f"已重置{user}的动态口令,其下次登录时需重新绑定。")
    return redirect("core:security_user_detail", pk=user.pk)
