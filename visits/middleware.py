from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from visits.accounts import needs_otp_enrolment, needs_otp_verification


class AccountPolicyMiddleware:
    """Before anything else a signed-in user does: prove the second factor if they have one, change an
    administrator-set password, and enrol a second factor where the role requires it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        target = self._required_step(request)
        if target and request.path != target and not self._always_allowed(request.path):
            if request.method == "GET":
                target = f"{target}?{urlencode({'next': request.get_full_path()})}"
            return redirect(target)
        return self.get_response(request)

    def _required_step(self, request) -> str | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if needs_otp_verification(user):
            return reverse("otp_verify")
        if user.must_change_password:
            return reverse("password_change")
        if needs_otp_enrolment(user):
            return reverse("otp_setup")
        return None

    def _always_allowed(self, path: str) -> bool:
        return path.startswith(self.static_prefix) or path in {reverse("logout"), reverse("password_change_done")}
