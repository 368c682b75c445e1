"""Error pages speak Chinese, sit in the site's layout and offer a way back."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.test import Client, override_settings
from django.urls import reverse

from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_unknown_address_shows_the_chinese_404_page_with_the_menu(client, alice):
    client.force_login(alice)
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "没有找到这个页面" in body
    assert "返回首页" in body
    assert 'id="main-nav"' in body
    assert "Not Found" not in body
    # Django's resolver detail (the URL patterns it tried) is not for the user.
    assert "tried" not in body


def test_out_of_scope_household_404_says_why_in_chinese(client, alice, charlie_household):
    client.force_login(alice)
    response = client.get(reverse("households:household_detail", args=[charlie_household.pk]))
    assert response.status_code == 404
    assert "没有找到该户,或您无权查看。" in response.content.decode()


def test_signed_out_visitor_gets_the_404_page_without_a_menu(client):
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "没有找到这个页面" in body
    assert 'id="main-nav"' not in body


def test_forbidden_page_is_chinese_and_says_what_to_do(client, alice):
    client.force_login(alice)
    response = client.get(reverse("core:audit_list"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "您无权访问这个页面" in body
    assert "您的角色无权访问此页面。" in body
    assert "返回首页" in body
    assert "403 Forbidden" not in body


@override_settings(ROOT_URLCONF="tests.project.error_urls")
def test_server_error_page_is_chinese_and_static(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.get("/broken/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in body
    assert 'href="/"' in body
    assert "Server Error" not in body


def test_server_error_page_renders_with_no_context_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        body = get_template("500.html").render()
    assert "系统出错了" in body
    # It links the stylesheet by its plain path: no manifest lookup that could itself fail.
    assert "/static/css/app.css" in body
    assert finders.find("css/app.css")


def test_csrf_failure_page_is_chinese(alice, alice_household):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("logout"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "页面已失效" in body
    assert "返回首页" in body
    assert "CSRF" not in body


def test_favicon_ico_points_at_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == f"/{settings.STATIC_URL.lstrip('/')}favicon.svg"
    assert finders.find("favicon.svg")


def test_admin_add_user_page_speaks_chinese(client):
    log_in_as(client, UserFactory(role=User.Role.ADMIN, is_staff=True))
    body = client.get(reverse("admin:core_user_add")).content.decode()
    assert "先填写用户名、姓名、所属单位和初始密码" in body
    assert "you’ll be able to edit more user options" not in body


def test_bad_request_page_is_chinese_and_needs_no_request(alice):
    # A Host header outside ALLOWED_HOSTS is a 400 (SuspiciousOperation): Django renders 400.html without the
    # request, which it cannot trust.
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.get(reverse("home"), HTTP_HOST="evil.example")
    body = response.content.decode()
    assert response.status_code == 400
    assert "无法处理这次请求" in body
    assert "返回首页" in body and 'href="/"' in body
    assert "Bad Request" not in body
    assert alice.name not in body  # nothing of the user: the request is not trusted


def test_too_many_form_fields_get_the_bad_request_page(client, alice, alice_household, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client.raise_request_exception = False
    log_in_as(client, alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    response = client.post(url, {f"f{n}": "x" for n in range(20)})
    assert response.status_code == 400
    assert "无法处理这次请求" in response.content.decode()
