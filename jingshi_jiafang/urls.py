from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jingshi_jiafang import errors, offline
from jingshi_jiafang.core.views import accounts
from jingshi_jiafang.home import home

urlpatterns = [
    path("", home, name="home"),
    # No password reset by e-mail: the bureau's network has no mail; an administrator resets passwords.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    # Logging out also clears the pages and unsent visits kept on the phone (offline.py).
    path("accounts/logout/", offline.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/2fa/setup/", accounts.otp_setup, name="otp_setup"),
    path("accounts/2fa/verify/", accounts.otp_verify, name="otp_verify"),
    path("favicon.ico", errors.favicon),
    # The installable app and its service worker, at the root so that its scope is the whole site.
    path("manifest.webmanifest", offline.manifest, name="web_manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline_page, name="offline_page"),
    path("offline/session/", offline.session_probe, name="offline_session"),
    path("admin/", admin.site.urls),
    path("", include("jingshi_jiafang.core.urls")),
    path("", include("jingshi_jiafang.households.urls")),
    path("", include("visits.urls")),
    path("", include("feedback.urls")),
    path("", include("ledger.urls")),
    path("", include("evaluation.urls")),
    path("", include("jingshi_jiafang.reports.urls")),
]

handler403 = "jingshi_jiafang.errors.permission_denied"
handler404 = "jingshi_jiafang.errors.page_not_found"
# handler500 stays Django's: it renders 500.html with no context at all, which is what a broken server needs.
