"""The audit log as the auditor reads it: names and units, references, state labels — on the page and in Excel."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluation.services.scores import score_weight_set
from feedback import services as feedback_services
from feedback.models import Matter
from feedback.services.classification import matter_topic_confirm, topic_month_close
from jingshi_jiafang.core import accounts
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.export_jobs import export_start
from jingshi_jiafang.core.models import ExportJob, User
from tests.conftest import log_in_as
from tests.core.factories import UserFactory
from tests.feedback.helpers import issue_and_hand_out, walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", name="丁值班", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


@pytest.fixture
def reopened_matter(duty, alice):
    """A walk-in matter taken the whole way to 办结, then reopened by a dissatisfied resident."""
    matter = walk_in(duty)
    feedback_services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=alice.unit, assignee=alice)
    feedback_services.matter_start(matter=matter, actor=alice)
    feedback_services.matter_close(matter=matter, actor=alice, result="已调解", reply_method="in_person")
    return feedback_services.matter_reopen(matter=matter, actor=duty, reason="群众不满意")


@pytest.fixture
def role_change(alice, bob):
    security_admin = UserFactory(username="sec", name="安管员", role=User.Role.SECURITY_ADMIN)
    accounts.user_role_change(
        user=alice, actor=security_admin, role=User.Role.DUTY_OFFICER, is_unit_head=False, request=None
    )
    return security_admin


def audit_page(client) -> str:
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    return client.get(reverse("core:audit_list")).content.decode()


def test_audit_page_names_people_matters_and_states(client, reopened_matter, role_change, alice):
    body = audit_page(client)
    assert f"诉求 {reopened_matter.reference}" in body
    assert "办结 → 处理" in body
    assert "新登记 → 汇报" in body
    assert "艾丽(alice) · " + alice.unit.name in body
    assert "丁值班(duty)" in body
    assert "用户 艾丽(alice)" in body
    assert "角色:民警 → 值班民警" in body
    for raw in ("visits.User #", "feedback.Matter #", "{'from'", "'closed'"):
        assert raw not in body


def test_audit_page_names_cards_households_and_failed_logins(client, duty, alice_household, alice):
    _batch, card = issue_and_hand_out(duty.unit, duty, alice_household)
    audit_record(action=Action.REVEAL_PHONE, actor=alice, target=alice_household)
    audit_record(action=Action.LOGIN_FAILED, actor_username="mallory")
    body = audit_page(client)
    assert f"回音卡 {card.number}" in body
    assert "库存 → 已发放" in body
    assert f"住户 #{alice_household.pk}({alice_household.village.full_name})" in body
    # The auditor reads who looked at a household, not the resident's name.
    assert alice_household.head_name not in body
    assert "mallory(未登录)" in body


def test_audit_export_has_the_readable_columns(client, reopened_matter, role_change):
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    response = client.get(reverse("core:audit_export"))
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    headers = rows[0]
    by_header = [dict(zip(headers, row, strict=True)) for row in rows[1:]]
    assert {"操作人", "对象", "详情"} <= set(headers)
    reopened = next(row for row in by_header if row["详情"] == "办结 → 处理")
    assert reopened["对象"] == f"诉求 {reopened_matter.reference}"
    assert reopened["操作人"].startswith("丁值班(duty)")
    assert any(row["对象"] == "用户 艾丽(alice) · " + reopened_matter.assigned_unit.name for row in by_header)


def test_audit_page_queries_do_not_grow_with_entries(
    client, duty, alice, alice_household, django_assert_max_num_queries
):
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    for n in range(12):
        matter = walk_in(duty, content=f"第{n}件")
        feedback_services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
        feedback_services.matter_hand_over(matter=matter, actor=duty, to_user=alice, note="交接")
        audit_record(action=Action.REVEAL_ID_NUMBER, actor=UserFactory(unit=alice.unit), target=alice_household)
        audit_record(action=Action.ROLE_CHANGED, actor=duty, target=UserFactory(), detail={"to": {"role": "cadre"}})
    issue_and_hand_out(duty.unit, duty, alice_household)
    # session, auditor, OTP device, count, rows, people, then one query per kind of object (matter, household,
    # echo card, batch), the last full verification: fixed whatever the number of entries.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("core:audit_list"))
    assert len(response.context["rows"]) == 25  # a full page: matters, households, users, a card


def test_audit_export_queries_do_not_grow_with_entries(client, duty, alice, django_assert_max_num_queries):
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    for n in range(30):
        matter = walk_in(duty, content=f"第{n}件")
        feedback_services.matter_hand_over(matter=matter, actor=duty, to_user=alice, note="交接")
    # PostgreSQL takes the audit chain's advisory lock in one more query than SQLite; the bound holds for any
    # number of rows.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("core:audit_export"))
    assert len(list(load_workbook(BytesIO(response.getvalue())).active.iter_rows())) > 60


def test_audit_page_names_categories_export_kinds_months_and_objects_in_chinese(client, duty, alice):
    """The walkthrough read `category:public_security;was:无`, `内容:monthly_report`, `month:2026-10;…` and
    "类别研判月份 #2" on the auditor's page."""
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    month_text = f"{last_month.year}年{last_month.month}月"
    legal = UserFactory(username="fazhi", role=User.Role.LEGAL)
    matter = walk_in(duty)
    Matter.objects.filter(pk=matter.pk).update(created_at=timezone.now().replace(day=1) - timedelta(days=3))
    matter_topic_confirm(matter=matter, actor=legal, category="public_security")
    topic_month_close(month=last_month, actor=legal, retrain=False)
    export_start(kind=ExportJob.Kind.MONTHLY_REPORT, params={"month": f"{last_month:%Y-%m}"}, actor=legal)
    evaluator = UserFactory(role=User.Role.EVALUATOR)
    next_month = (timezone.localdate().replace(day=1) + timedelta(days=31)).replace(day=1)
    score_weight_set(
        subject_kind="officer", metric="visit_coverage", weight=Decimal(30), valid_from=next_month, actor=evaluator
    )

    body = audit_page(client)
    assert "类别:治安防范;原类别:无" in body
    assert f"类别研判 {month_text}" in body and f"月份:{month_text};诉求件数:1;结束研判:是" in body
    assert f"内容:月度分类报表;筛选条件:月份={month_text}" in body
    assert f"事项:调整考核权重;考核对象:民警;指标:访户率;起始月份:{next_month.year}年{next_month.month}月" in body
    assert f"考核权重 民警 访户率 30.00 ({next_month:%Y-%m}起)" in body
    for raw in ("public_security", "monthly_report", f"月份:{last_month:%Y-%m}", "类别研判月份 #", "visit_coverage"):
        assert raw not in body


def test_audit_page_names_a_unit_move_and_a_number_search(client, alice, station_b):
    security_admin = UserFactory(username="sec", name="安管员", role=User.Role.SECURITY_ADMIN)
    before = alice.unit.name
    accounts.user_unit_change(user=alice, actor=security_admin, unit=station_b, request=None)
    log_in_as(client, alice)
    client.get(reverse("households:household_list"), {"phone": "1234"})
    body = audit_page(client)
    assert f"单位:{before} → {station_b.name}" in body
    assert "号码类型:手机号后四位;检索内容:1234;结果数:0" in body
    assert "unit_name" not in body and "phone_last_four" not in body
