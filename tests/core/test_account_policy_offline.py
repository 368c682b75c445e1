"""The account's required steps (change the password, enrol a second factor) hold back every page of the
account, but not the offline layer's files: the service worker, the manifest and the offline page are the same
for everyone and hold nothing of the user. Redirected to the password page, a browser checking for a new service
worker would be given HTML for a script and drop the worker, with the visits waiting in it unsent."""

import pytest
from django.urls import reverse

from jingshi_jiafang.core.models import User
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db

OFFLINE_FILES = [
    ("service_worker", "text/javascript"),
    ("web_manifest", "application/manifest+json"),
    ("offline_page", "text/html"),
]


@pytest.mark.parametrize(
    "user, step",
    [
        (lambda: UserFactory(role=User.Role.OFFICER, must_change_password=True), "password_change"),
        (lambda: UserFactory(role=User.Role.LEADER), "otp_setup"),
    ],
    ids=["must_change_password", "must_enrol_second_factor"],
)
def test_offline_files_pass_the_required_step_and_pages_do_not(client, user, step):
    client.force_login(user())
    assert client.get(reverse("households:household_list"))["Location"].startswith(reverse(step))
    for name, content_type in OFFLINE_FILES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith(content_type), name
