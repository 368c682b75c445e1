"""The system administrator's units and accounts in Django's admin: checked, and every change audited."""

import pytest
from django.urls import reverse

from jingshi_jiafang.core.audit_display import audit_rows
from jingshi_jiafang.core.models import AuditEntry, Unit, User
from tests.conftest import log_in_as
from tests.core.factories import PoliceRoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(client):
    return log_in_as(client, UserFactory(username="admin1", name="赵敏", role=User.Role.ADMIN, is_staff=True))


def test_the_admin_greets_the_administrator_by_name(client, admin_user):
    assert "<strong>赵敏</strong>" in client.get(reverse("admin:index")).content.decode()


def unit_form(unit: Unit, **changes) -> dict:
    return {"kind": unit.kind, "name": unit.name, "code": unit.code, "parent": unit.parent_id or "", **changes}


def test_a_unit_cannot_be_its_own_parent_nor_a_police_room_sit_under_the_bureau(client, admin_user, station_a):
    room = PoliceRoomFactory(parent=station_a, name="东湖中心警务室")
    url = reverse("admin:core_unit_change", args=[room.pk])
    response = client.post(url, unit_form(room, parent=room.pk))
    assert response.status_code == 200 and "中心警务室的上级单位应是一个派出所。" in response.content.decode()
    response = client.post(url, unit_form(room, parent=station_a.parent_id))
    assert "中心警务室的上级单位应是一个派出所。" in response.content.decode()
    response = client.post(
        reverse("admin:core_unit_change", args=[station_a.parent_id]),
        {**unit_form(station_a.parent), "parent": station_a.pk},
    )
    assert "县公安局是最上级单位" in response.content.decode()
    room.refresh_from_db()
    assert room.parent == station_a and not AuditEntry.objects.filter(action="reference_changed").exists()


def test_a_station_with_police_rooms_cannot_become_a_department(client, admin_user, station_a):
    PoliceRoomFactory(parent=station_a, name="东湖中心警务室")
    response = client.post(
        reverse("admin:core_unit_change", args=[station_a.pk]), unit_form(station_a, kind=Unit.Kind.DEPARTMENT)
    )
    assert "本单位下有东湖中心警务室等下级单位" in response.content.decode()
    station_a.refresh_from_db()
    assert station_a.kind == Unit.Kind.STATION


def test_changing_a_unit_is_audited_field_by_field(client, admin_user, station_a):
    response = client.post(
        reverse("admin:core_unit_change", args=[station_a.pk]), unit_form(station_a, name="城东新派出所")
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="reference_changed", object_id=str(station_a.pk))
    assert entry.actor == admin_user
    assert entry.detail == {"from": {"名称": "城东派出所"}, "to": {"名称": "城东新派出所"}}
    assert audit_rows([entry])[0].detail == "名称:城东派出所 → 城东新派出所"


def test_an_account_needs_a_name_and_a_real_phone_and_its_changes_are_audited(client, admin_user):
    officer = UserFactory(name="王海燕", phone="")
    url = reverse("admin:core_user_change", args=[officer.pk])
    form = {"username": officer.username, "name": "", "phone": "电话坏了", "is_active": "on"}
    body = client.post(url, form).content.decode()
    assert "这个字段是必填项。" in body and "电话号码格式不正确" in body
    officer.refresh_from_db()
    assert officer.name == "王海燕"

    response = client.post(url, {**form, "name": "王海艳", "phone": "138 1234 5678"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="reference_changed", object_id=str(officer.pk))
    assert entry.detail == {
        "from": {"姓名": "王海燕", "联系电话": ""},
        "to": {"姓名": "王海艳", "联系电话": "13812345678"},
    }


def test_adding_a_unit_is_audited(client, admin_user, station_a):
    response = client.post(
        reverse("admin:core_unit_add"),
        {"kind": "police_room", "name": "西湖中心警务室", "code": "XH", "parent": station_a.pk},
    )
    assert response.status_code == 302
    room = Unit.objects.get(code="XH")
    entry = AuditEntry.objects.get(action="reference_created", object_id=str(room.pk))
    assert entry.detail["to"] == {
        "类型": "中心警务室",
        "名称": "西湖中心警务室",
        "单位代码": "XH",
        "上级单位": "城东派出所",
    }


def test_the_system_actor_is_no_ones_account_to_edit(client, admin_user):
    from jingshi_jiafang.core.actors import system_actor

    system = system_actor()
    assert system.username not in client.get(reverse("admin:core_user_changelist")).content.decode()
    response = client.get(reverse("admin:core_user_change", args=[system.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    log_in_as(client, UserFactory(role=User.Role.SECURITY_ADMIN))
    assert system not in client.get(reverse("core:security_user_list")).context["page"].object_list
    assert client.get(reverse("core:security_user_detail", args=[system.pk])).status_code == 404
