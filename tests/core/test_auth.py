from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingshi_jiafang.core.models import AuditEntry, User
from tests.conftest import log_in_as
from tests.core.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client, username, password, address="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


# Password policy.


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "lowercase123456", "Password123", "1234567890123"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_password_similar_to_the_username_is_refused():
    user = User(username="wanghaiyan", name="王海燕")
    with pytest.raises(ValidationError):
        validate_password("Wanghaiyan-2026", user=user)


def test_strong_password_with_three_classes_passes():
    validate_password("Jiafang-visit-77")
    validate_password("山村夜访-nightwalk9")


# Lockout.


def test_after_five_wrong_passwords_the_right_one_is_refused_too(client):
    user = UserFactory()
    statuses = [post_login(client, user.username, "Wrong-password-1").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure already shows the lockout page
    response = post_login(client, user.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="locked_out", actor_username=user.username).exists()


def test_lockout_is_per_user_from_any_address(client):
    user = UserFactory()
    for n in range(5):
        post_login(client, user.username, "Wrong-password-1", address=f"10.0.0.{n + 1}")
    assert post_login(client, user.username, TEST_PASSWORD, address="10.9.9.9").status_code == 429


def test_lockout_is_per_address_across_users(client):
    victims = [UserFactory() for _ in range(5)]
    for victim in victims:
        post_login(client, victim.username, "Wrong-password-1", address="10.6.6.6")
    other = UserFactory()
    assert post_login(client, other.username, TEST_PASSWORD, address="10.6.6.6").status_code == 429
    assert post_login(client, other.username, TEST_PASSWORD, address="10.7.7.7").status_code == 302


def test_a_good_login_by_someone_else_does_not_reset_a_users_failures(client):
    legal, duty = UserFactory(username="legal"), UserFactory(username="duty")
    for _ in range(3):
        for _ in range(4):
            post_login(client, legal.username, "Wrong-password-1")
        post_login(client, duty.username, TEST_PASSWORD)
        client.logout()
    # Locked by username: from any other address too.
    assert post_login(client, legal.username, TEST_PASSWORD, address="10.9.9.9").status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_good_login_does_not_reset_the_address_count_for_others(client):
    own = UserFactory()
    for _ in range(4):
        post_login(client, UserFactory().username, "Wrong-password-1", address="10.6.6.6")
    assert post_login(client, own.username, TEST_PASSWORD, address="10.6.6.6").status_code == 302
    client.logout()
    post_login(client, UserFactory().username, "Wrong-password-1", address="10.6.6.6")
    assert post_login(client, UserFactory().username, TEST_PASSWORD, address="10.6.6.6").status_code == 429


def test_a_good_login_clears_the_users_own_failures(client):
    user = UserFactory()
    for _ in range(4):
        post_login(client, user.username, "Wrong-password-1", address="10.3.3.3")
    assert post_login(client, user.username, TEST_PASSWORD, address="10.4.4.4").status_code == 302
    client.logout()
    for _ in range(4):
        post_login(client, user.username, "Wrong-password-1", address="10.5.5.5")
    assert post_login(client, user.username, TEST_PASSWORD, address="10.5.5.6").status_code == 302


def test_lockout_ends_after_fifteen_minutes(client):
    user = UserFactory()
    for _ in range(5):
        post_login(client, user.username, "Wrong-password-1")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert post_login(client, user.username, TEST_PASSWORD).status_code == 302


def test_logins_and_failures_are_audited_with_the_address(client):
    user = UserFactory()
    post_login(client, user.username, "Wrong-password-1", address="10.2.3.4")
    post_login(client, user.username, TEST_PASSWORD, address="10.2.3.4")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_username", "ip_address"))
    assert actions == [("login_failed", user.username, "10.2.3.4"), ("login", user.username, "10.2.3.4")]


# Sessions.


def test_session_ends_after_thirty_idle_minutes(client, alice):
    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    # the login page says why the officer is there
    assert "登录已失效(超过 30 分钟未操作会自动退出" in response.content.decode()


def test_signing_out_on_purpose_or_a_first_visit_says_nothing_of_a_lapsed_session(client, alice):
    assert "登录已失效" not in client.get(reverse("home"), follow=True).content.decode()
    client.force_login(alice)
    client.get(reverse("home"))
    response = client.post(reverse("logout"), follow=True)
    assert "登录已失效" not in response.content.decode()
    assert "登录已失效" not in client.get(reverse("home"), follow=True).content.decode()


def test_use_pushes_the_idle_deadline_thirty_minutes_ahead_at_most_once_a_minute(client, alice, settings):
    client.force_login(alice)
    client.get(reverse("home"))
    expires = Session.objects.get().expire_date
    assert timedelta(minutes=29) < expires - timezone.now() <= timedelta(minutes=30)
    # Within the minute the session row is left alone: no write, no commit, for a page.
    Session.objects.update(expire_date=expires - timedelta(minutes=5))
    client.get(reverse("home"))
    assert Session.objects.get().expire_date == expires - timedelta(minutes=5)
    # A minute on, the next request pushes it again.
    settings.SESSION_TOUCH_SECONDS = 0
    client.get(reverse("home"))
    assert timedelta(minutes=29) < Session.objects.get().expire_date - timezone.now() <= timedelta(minutes=30)


def test_a_page_within_the_minute_writes_nothing(client, alice):
    client.force_login(alice)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("password_change"))
    assert not [query["sql"] for query in captured if query["sql"].startswith(("UPDATE", "INSERT"))]


def test_session_cookie_ends_with_the_browser(client, alice):
    post_login(client, alice.username, TEST_PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"]


# Password change forced for administrator-made accounts.


def test_account_made_by_the_administrator_must_change_its_password(client):
    admin = log_in_as(client, UserFactory(role=User.Role.ADMIN, is_staff=True))
    response = client.post(
        reverse("admin:core_user_add"),
        {
            "username": "newcomer",
            "name": "新民警",
            "unit": admin.unit_id,
            "usable_password": "true",
            "password1": "Initial-pass-2026",
            "password2": "Initial-pass-2026",
        },
    )
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.must_change_password and newcomer.role == ""
    assert AuditEntry.objects.filter(action="user_created", actor=admin, object_id=str(newcomer.pk)).exists()

    client.post(reverse("logout"))
    post_login(client, "newcomer", "Initial-pass-2026")
    assert client.get(reverse("households:household_list"))["Location"].startswith(reverse("password_change"))
    client.post(
        reverse("password_change"),
        {"old_password": "Initial-pass-2026", "new_password1": "My-own-secret-88", "new_password2": "My-own-secret-88"},
    )
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password
    assert client.get(reverse("home")).status_code == 200
    assert "还没有分配角色" in client.get(reverse("home")).content.decode()


def test_the_temporary_password_cannot_be_kept_as_the_new_one(client):
    user = UserFactory(must_change_password=True)
    post_login(client, user.username, TEST_PASSWORD)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": TEST_PASSWORD, "new_password2": TEST_PASSWORD},
    )
    assert response.status_code == 200
    assert "新密码不能与原密码相同" in response.content.decode()
    user.refresh_from_db()
    assert user.must_change_password
    assert client.get(reverse("home"))["Location"].startswith(reverse("password_change"))


def test_administrator_password_reset_forces_a_change(client):
    log_in_as(client, UserFactory(role=User.Role.ADMIN, is_staff=True))
    officer = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[officer.pk]).replace("auth/user", "visits/user")
    response = client.post(url, {"password1": "Reset-pass-2026", "password2": "Reset-pass-2026"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.must_change_password
    assert AuditEntry.objects.filter(action="password_reset", object_id=str(officer.pk)).exists()


def test_system_administrator_cannot_change_roles_in_admin(client):
    log_in_as(client, UserFactory(role=User.Role.ADMIN, is_staff=True))
    officer = UserFactory()
    client.post(
        reverse("admin:core_user_change", args=[officer.pk]),
        {"username": officer.username, "name": officer.name, "role": "legal", "is_unit_head": "on", "is_active": "on"},
    )
    officer.refresh_from_db()
    assert officer.role == User.Role.OFFICER and not officer.is_unit_head


def test_system_administrator_cannot_change_a_users_unit_in_admin(client, station_b):
    log_in_as(client, UserFactory(role=User.Role.ADMIN, is_staff=True))
    officer = UserFactory()
    unit = officer.unit
    client.post(
        reverse("admin:core_user_change", args=[officer.pk]),
        {"username": officer.username, "name": officer.name, "unit": station_b.pk, "is_active": "on"},
    )
    officer.refresh_from_db()
    assert officer.unit == unit


def test_officer_cannot_open_django_admin(client, alice):
    client.force_login(alice)
    assert client.get(reverse("admin:index")).status_code == 302


# Second factor.


def _token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def test_leader_must_enrol_a_second_factor_before_anything_else(client):
    leader = UserFactory(role=User.Role.LEADER)
    post_login(client, leader.username, TEST_PASSWORD)
    assert client.get(reverse("households:household_list"))["Location"].startswith(reverse("otp_setup"))

    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=leader)
    bad = client.post(reverse("otp_setup"), {"token": "000000" if _token(device) != "000000" else "111111"})
    assert "动态口令不正确" in bad.content.decode()
    assert AuditEntry.objects.filter(action="otp_failed", actor=leader).exists()

    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a retry wait after a failure; the test does not sleep
    response = client.post(reverse("otp_setup"), {"token": _token(device), "next": "/households/"})
    assert response["Location"] == "/households/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(action="otp_enrolled", object_id=str(leader.pk)).exists()


def test_enrolled_user_proves_the_second_factor_at_every_login(client):
    leader = UserFactory(role=User.Role.LEADER)
    device = TOTPDevice.objects.create(user=leader, name="手机", confirmed=True)
    post_login(client, leader.username, TEST_PASSWORD)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    assert "动态口令为 6 位数字" in client.post(reverse("otp_verify"), {"token": "12345x"}).content.decode()
    response = client.post(reverse("otp_verify"), {"token": _token(device)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def _age_last_failure(device, seconds: int) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_code_typed_while_locked_after_wrong_ones_says_how_long_to_wait(client):
    leader = UserFactory(role=User.Role.LEADER)
    device = TOTPDevice.objects.create(user=leader, name="手机", confirmed=True)
    post_login(client, leader.username, TEST_PASSWORD)
    wrong = "000000" if _token(device) != "000000" else "111111"
    first = client.post(reverse("otp_verify"), {"token": wrong}).content.decode()
    assert "动态口令不正确、已过期或已用过" in first and "秒" not in first
    _age_last_failure(device, seconds=2)  # a person takes longer than the one-second wait to type again
    second = client.post(reverse("otp_verify"), {"token": wrong}).content.decode()
    assert "动态口令不正确、已过期或已用过" in second and "再次输入前请等 2 秒" in second
    # The right code, typed at once: refused unchecked, and the page says why and for how long.
    device.refresh_from_db()
    locked = client.post(reverse("otp_verify"), {"token": _token(device)}).content.decode()
    assert "刚输错过动态口令,已暂时锁定,这次输入未核对:请等 2 秒后" in locked
    assert AuditEntry.objects.filter(action="otp_failed", actor=leader, detail__locked=True).count() == 1
    device.refresh_from_db()
    assert device.throttling_failure_count == 2  # the unchecked try did not lengthen the wait
    _age_last_failure(device, seconds=3)
    assert client.post(reverse("otp_verify"), {"token": _token(device)}).status_code == 302


def test_the_session_key_changes_once_the_second_factor_is_proven(client):
    leader = UserFactory(role=User.Role.LEADER)
    device = TOTPDevice.objects.create(user=leader, name="手机", confirmed=True)
    post_login(client, leader.username, TEST_PASSWORD)
    before = client.session.session_key
    client.post(reverse("otp_verify"), {"token": _token(device)})
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("home")).status_code == 200


def test_open_redirect_after_second_factor_is_refused(client):
    leader = UserFactory(role=User.Role.LEADER)
    device = TOTPDevice.objects.create(user=leader, name="手机", confirmed=True)
    post_login(client, leader.username, TEST_PASSWORD)
    response = client.post(reverse("otp_verify"), {"token": _token(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_officer_may_enrol_voluntarily_and_is_then_asked_for_it(client, alice):
    post_login(client, alice.username, TEST_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=alice)
    client.post(reverse("otp_setup"), {"token": _token(device)})
    client.post(reverse("logout"))
    post_login(client, alice.username, TEST_PASSWORD)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
