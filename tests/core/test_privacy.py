import re

import pytest
from django.db import connection
from django.urls import reverse

from jingshi_jiafang.core.models import AuditEntry, Household, User
from jingshi_jiafang.core.privacy import mask_id_number, mask_phone
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, HouseholdLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dXx]")
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def test_masks_look_as_the_bureau_expects():
    assert mask_id_number("321322198001011234") == "3213**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0527-83512345") == "0527-****2345"
    assert mask_phone("") == ""


def test_officer_pages_never_show_a_full_id_or_mobile(client, alice, alice_household):
    client.force_login(alice)
    pages = [
        reverse("households:household_list"),
        alice_household.get_absolute_url(),
        reverse("home"),
        reverse("visits:visit_create", args=[alice_household.pk]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert not FULL_ID.search(body), url
        assert not FULL_MOBILE.search(body), url
    assert (
        mask_id_number(alice_household.head_id_number)
        in client.get(alice_household.get_absolute_url()).content.decode()
    )


def test_searching_by_full_numbers_echoes_them_masked(client, alice, alice_household):
    client.force_login(alice)
    for text in (alice_household.head_id_number, alice_household.phone):
        body = client.get(reverse("households:household_list"), {"q": text}).content.decode()
        assert alice_household.head_name in body
        assert not FULL_ID.search(body) and not FULL_MOBILE.search(body)


def test_a_number_typed_as_people_write_it_finds_the_household_masked_and_audited(client, alice, alice_household):
    phone, id_number = alice_household.phone, alice_household.head_id_number
    written = {
        "phone": [f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"+86{phone}"],
        "q": [f"{id_number[:6]} {id_number[6:14]} {id_number[14:].lower()}", f"+86 {phone}"],
    }
    client.force_login(alice)
    for field, texts in written.items():
        for text in texts:
            body = client.get(reverse("households:household_list"), {field: text}).content.decode()
            assert alice_household.head_name in body, text
            assert not FULL_ID.search(body) and not FULL_MOBILE.search(body.replace(" ", "").replace("-", "")), text
    searches = AuditEntry.objects.filter(action="search_number")
    assert searches.count() == 5 and all(entry.detail["found"] == 1 for entry in searches)
    texts = [entry.detail["text"] for entry in searches]
    assert not any(FULL_ID.search(text) or FULL_MOBILE.search(text) for text in texts)


def test_a_phone_fragment_finds_nothing_and_the_page_says_what_the_box_takes(client, alice, alice_household):
    # Walkthrough: 3 or 5 trailing digits found nothing, and the page only said to try another word.
    client.force_login(alice)
    for fragment in (alice_household.phone[-3:], alice_household.phone[-5:]):
        body = client.get(reverse("households:household_list"), {"phone": fragment}).content.decode()
        assert alice_household.head_name not in body and "电话请输入完整的 11 位号码,或只输入后四位" in body
    body = client.get(reverse("households:household_list"), {"q": "没有这个人"}).content.decode()
    assert "请换一个关键词" in body and "后四位:" not in body


def test_reveal_shows_the_number_once_and_audits_it(client, alice, alice_household):
    client.force_login(alice)
    url = reverse("households:household_reveal", args=[alice_household.pk])
    body = client.post(url, {"field": "id_number"}).content.decode()
    assert alice_household.head_id_number in body
    assert alice_household.phone not in body
    entry = AuditEntry.objects.get(action="reveal_id_number")
    assert (entry.actor, entry.object_id) == (alice, str(alice_household.pk))
    assert alice_household.head_id_number not in client.get(alice_household.get_absolute_url()).content.decode()


def test_reveal_of_phone_gives_a_tap_to_call_link(client, alice, alice_household):
    client.force_login(alice)
    body = client.post(reverse("households:household_reveal", args=[alice_household.pk]), {"field": "phone"}).content
    assert f'href="tel:{alice_household.phone}"' in body.decode()
    assert AuditEntry.objects.filter(action="reveal_phone").count() == 1


def test_reveal_is_post_only(client, alice, alice_household):
    """A GET (a reload of the reveal's address) shows the household page again, masked, and records nothing."""

    client.force_login(alice)
    response = client.get(reverse("households:household_reveal", args=[alice_household.pk]), follow=True)
    assert response.redirect_chain == [(alice_household.get_absolute_url(), 302)]
    assert alice_household.phone not in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="reveal").exists()


def test_cadre_may_reveal_a_phone_but_not_an_id_number(client, alice_household):
    cadre = AreaLinkFactory(area=alice_household.village).user
    client.force_login(cadre)
    url = reverse("households:household_reveal", args=[alice_household.pk])
    assert client.post(url, {"field": "id_number"}).status_code == 403
    assert client.post(url, {"field": "phone"}).status_code == 200
    assert "显示完整号码" in client.get(alice_household.get_absolute_url()).content.decode()
    assert not AuditEntry.objects.filter(action="reveal_id_number").exists()


def test_reveal_out_of_scope_is_a_404_and_leaves_no_trace(client, charlie, alice_household):
    client.force_login(charlie)
    response = client.post(reverse("households:household_reveal", args=[alice_household.pk]), {"field": "phone"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="reveal_phone").exists()


def test_id_numbers_are_encrypted_at_rest_and_searchable_by_keyed_hash(alice, village_a):
    household = HouseholdFactory(village=village_a)
    HouseholdLinkFactory(officer=alice, household=household)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT head_id_number, head_id_number_hash FROM {Household._meta.db_table} WHERE id = %s", [household.pk]
        )
        stored, digest = cursor.fetchone()
    assert household.head_id_number not in stored
    assert household.head_id_number not in digest
    assert Household.objects.get(pk=household.pk).head_id_number == household.head_id_number


def test_two_households_cannot_share_an_id_number(village_a):
    from django.db import IntegrityError

    first = HouseholdFactory(village=village_a)
    with pytest.raises(IntegrityError):
        HouseholdFactory(village=village_a, head_id_number=first.head_id_number.lower())


def test_administrators_see_no_households(client, alice_household):
    for role in (User.Role.ADMIN, User.Role.SECURITY_ADMIN, User.Role.AUDITOR):
        log_in_as(client, UserFactory(role=role, is_staff=role == User.Role.ADMIN))
        assert client.get(alice_household.get_absolute_url()).status_code == 404
        assert alice_household.head_name not in client.get(reverse("households:household_list")).content.decode()


def test_numbers_in_free_text_are_masked_and_longer_numbers_left_alone():
    from jingshi_jiafang.core.privacy import mask_numbers_in_text

    text = "电话13812345678,身份证32132219650101123X,座机0527-83212345,查询编号261001000123"
    assert mask_numbers_in_text(text) == (
        "电话138****5678,身份证3213**********123X,座机0527-****2345,查询编号261001000123"
    )
    assert mask_numbers_in_text("") == ""
