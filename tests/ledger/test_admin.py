"""The system administrator founds a service team in admin; nobody else reaches it there."""

import pytest
from django.urls import reverse

from jingshi_jiafang.core.models import User
from ledger.models import ServiceTeam
from tests.conftest import log_in_as
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_administrator_founds_a_team_and_an_officer_cannot_open_admin(client, alice, village_a):
    admin_user = UserFactory(role=User.Role.ADMIN, is_staff=True)
    log_in_as(client, admin_user)
    response = client.post(
        reverse("admin:ledger_serviceteam_add"),
        {"area": village_a.pk, "name": "东湖村公安服务队", "leader": alice.pk},
    )
    assert response.status_code == 302
    assert ServiceTeam.objects.get().leader == alice
    log_in_as(client, alice)
    assert client.get(reverse("admin:ledger_serviceteam_changelist")).status_code == 302
