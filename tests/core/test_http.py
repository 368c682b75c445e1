"""Issue #8, finding 3: reopening the address of a POST-only action (after a form error, a reload, the back
button) lands on the page its form lives on, not an empty 405."""

import gzip

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.models import HouseholdAttachment
from tests.core.factories import PNG_BYTES, png_upload
from tests.visits.factories import NightVisitPlanFactory, VisitFactory

pytestmark = pytest.mark.django_db


@post_only("households:household_detail")
def _action(request, pk):
    return HttpResponse("done")


@post_only("visits:night_plan", url_kwargs=())
def _action_of_a_list_page(request, pk):
    return HttpResponse("done")


def test_post_reaches_the_view_and_get_redirects_to_the_forms_page():
    factory = RequestFactory()
    assert _action(factory.post("/x/"), pk=7).content == b"done"
    for method in ("get", "head"):
        response = _action(getattr(factory, method)("/x/"), pk=7)
        assert response.status_code == 302 and response["Location"] == reverse("households:household_detail", args=[7])
    assert _action_of_a_list_page(factory.get("/x/"), pk=7)["Location"] == reverse("visits:night_plan")


def test_other_methods_are_still_refused():
    response = _action(RequestFactory().put("/x/"), pk=7)
    assert response.status_code == 405 and response["Allow"] == "POST"


@pytest.fixture
def action_urls(alice, bob, alice_household):
    visit = VisitFactory(household=alice_household, visitor=alice)
    plan = NightVisitPlanFactory(officer=alice, village=alice_household.village, planned_by=bob)
    household_page = alice_household.get_absolute_url()
    return {
        reverse("households:household_assign", args=[alice_household.pk]): (bob, household_page),
        reverse("households:household_reveal", args=[alice_household.pk]): (alice, household_page),
        reverse("households:attachment_upload", args=[alice_household.pk]): (alice, household_page),
        reverse("visits:visit_reveal", args=[visit.pk]): (alice, visit.get_absolute_url()),
        reverse("visits:night_plan_add"): (bob, reverse("visits:night_plan")),
        reverse("visits:night_plan_remove", args=[plan.pk]): (bob, reverse("visits:night_plan")),
    }


def test_reopening_a_household_visit_or_night_action_lands_on_its_page(client, action_urls):
    for url, (user, page) in action_urls.items():
        client.force_login(user)
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(page, 302)], url
        assert response.status_code == 200, url


def test_reopening_an_action_on_another_stations_household_still_ends_in_404(client, charlie, alice_household):
    client.force_login(charlie)
    response = client.get(reverse("households:household_assign", args=[alice_household.pk]), follow=True)
    assert response.status_code == 404


# Compression: pages gzipped for a browser that accepts it; what is compressed already passes as it is.


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client, alice, alice_household):
    client.force_login(alice)
    plain = client.get(reverse("households:household_list"))
    zipped = client.get(reverse("households:household_list"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain and zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"] and len(zipped.content) < len(plain.content) / 2
    assert alice_household.head_name in gzip.decompress(zipped.content).decode()


def test_a_photo_is_sent_as_it_is(client, alice, alice_household):
    client.force_login(alice)
    client.post(reverse("households:attachment_upload", args=[alice_household.pk]), {"file": png_upload()})
    attachment = HouseholdAttachment.objects.get()
    download = client.get(attachment.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in download and b"".join(download.streaming_content) == PNG_BYTES
