import time

from django.conf import settings
from django.contrib import messages
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from jingshi_jiafang.core.accounts import needs_otp_enrolment, needs_otp_verification


class TrustedProxyMiddleware:
    """Behind the TLS proxy every connection comes from the proxy; it names the real client in X-Real-IP, which
    it sets itself. The header is believed only from `TRUSTED_PROXY_IPS`, so lockouts and the audit log see the
    real address and nobody else can choose theirs."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = frozenset(settings.TRUSTED_PROXY_IPS)

    def __call__(self, request):
        real_ip = request.META.pop("HTTP_X_REAL_IP", "").strip()
        if real_ip and request.META.get("REMOTE_ADDR") in self.trusted:
            request.META["REMOTE_ADDR"] = real_ip
        return self.get_response(request)


class CompressedTextMiddleware(GZipMiddleware):
    """Pages, JSON and CSV gzipped for a browser that accepts it: an officer's household list is 23 kB of HTML and
    3.4 kB gzipped, on a village's weak signal. Django's compression pads each response with random bytes, against
    BREACH (the CSRF token is masked per response too), which nginx's gzip does not: so it is done here. Photos,
    workbooks and PDFs are compressed already and pass as they are."""

    COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/manifest+json")

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.COMPRESSIBLE):
            return response
        return super().process_response(request, response)


class IdleSessionMiddleware:
    """The idle timeout: a signed-in user's session lasts SESSION_COOKIE_AGE after their last request. Saving the
    session on every request (SESSION_SAVE_EVERY_REQUEST) wrote a row, and committed it, for every page; the
    deadline is pushed when the last push is SESSION_TOUCH_SECONDS old, so the timeout is kept within that."""

    TOUCHED = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.TOUCHED, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[self.TOUCHED] = now  # marks the session modified: SessionMiddleware saves it
        return response


class SignedOutNoticeMiddleware:
    """A page sent to the login page because the session ran out (idle timeout, 2FA reset) says why: the officer
    otherwise lands on the login form with no word of what happened. Below MessageMiddleware, so the message is
    kept with the redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # asked before the view runs: signing out on purpose also ends with the login page
        lapsed = bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME)) and not request.user.is_authenticated
        response = self.get_response(request)
        login = resolve_url(settings.LOGIN_URL)
        if lapsed and response.status_code == 302 and response.get("Location", "").startswith(login):
            minutes = settings.SESSION_COOKIE_AGE // 60
            messages.info(request, f"登录已失效(超过 {minutes} 分钟未操作会自动退出,以保护群众信息),请重新登录。")
        return response


class PrivateResponseMiddleware:
    """Nothing a signed-in user is shown may be kept by the browser or a cache on the way: household pages,
    revealed numbers, attachments and exports all carry personal data, so every authenticated response is
    `no-store`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


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
        # The offline layer's files are no page of the account and the same for everyone; a service worker
        # update answered with the password page would fail and strand the visits waiting on the phone.
        return path.startswith(self.static_prefix) or path in {
            reverse("logout"),
            reverse("password_change_done"),
            reverse("service_worker"),
            reverse("web_manifest"),
            reverse("offline_page"),
            reverse("offline_session"),
        }
