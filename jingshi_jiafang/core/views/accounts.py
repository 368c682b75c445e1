import base64

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login

from jingshi_jiafang.core import accounts
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.forms import OtpTokenForm, PasswordChangeForm
from jingshi_jiafang.core.qr import qr_data_url


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return "/"


def _otp_proven(request, device) -> None:
    # A new session key once the second factor is proven: a key learnt before (fixation, a shared machine) must
    # not inherit the fully authenticated session.
    otp_login(request, device)
    request.session.cycle_key()


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    if accounts.has_confirmed_device(request.user):
        messages.info(request, "您已绑定动态口令。如需更换手机,请联系安全管理员重置。")
        return redirect("home")
    device = accounts.otp_device_for_enrolment(user=request.user)
    form = OtpTokenForm(request.POST or None)
    if form.is_valid():
        was_locked = accounts.otp_wait_seconds([device]) > 0
        if accounts.otp_device_confirm(device=device, token=form.cleaned_data["token"], request=request):
            _otp_proven(request, device)
            messages.success(request, "动态口令已绑定。以后登录时需输入手机上的动态口令。")
            return redirect(_next_url(request))
        form.add_error("token", accounts.otp_refusal([device], was_locked=was_locked))
    context = {
        "form": form,
        "qr": qr_data_url(device.config_url, box_size=8, border=4),
        "secret": base64.b32encode(device.bin_key).decode(),
        "required": accounts.otp_required(request.user),
        "next": _next_url(request),
    }
    return render(request, "registration/otp_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = OtpTokenForm(request.POST or None)
    if form.is_valid():
        devices = list(devices_for_user(request.user, confirmed=True))
        was_locked = accounts.otp_wait_seconds(devices) > 0
        for device in [] if was_locked else devices:
            if device.verify_token(form.cleaned_data["token"]):
                _otp_proven(request, device)
                return redirect(_next_url(request))
        audit_record(action=Action.OTP_FAILED, request=request, detail={"stage": "login", "locked": was_locked})
        form.add_error("token", accounts.otp_refusal(devices, was_locked=was_locked))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.user_password_changed(user=self.request.user, request=self.request)
        return response
