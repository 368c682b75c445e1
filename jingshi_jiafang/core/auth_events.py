"""Login, logout, failed logins and lockouts into the audit log. Django and django-axes announce these only
through signals, so signals are the entry point here (and only here)."""

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jingshi_jiafang.core.audit import Action, audit_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    # A good password clears that user's own failures and nobody else's: the address's count for other
    # usernames stands (AXES_RESET_ON_SUCCESS is off for that reason).
    AccessAttempt.objects.filter(username=user.get_username()).delete()
    audit_record(action=Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(action=Action.LOGIN_FAILED, request=request, actor_username=credentials.get("username", ""))


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(action=Action.LOCKED_OUT, request=request, actor_username=username or "")
