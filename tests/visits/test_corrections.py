"""Issue #8/#9: registration corrections show the current value, validate the new one by item, and never show a
personal item (phone, ID number, birth date) in full except through the audited reveal."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import AuditEntry, Household, User
from tests.conftest import log_in_as
from tests.core.factories import UserFactory, valid_id_number
from visits import services
from visits.models import Visit

pytestmark = pytest.mark.django_db


def visit_post(household, **overrides):
    data = {
        "submission_key": str(uuid.uuid4()),
        "kind": "day",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "people_met": "户主本人",
        "facts_confirmed": "on",
        "head_name": household.head_name,
        "address": household.address,
        "members_count": household.members_count,
    }
    data.update(overrides)
    return data


def log(visitor, household, **kwargs):
    details = {"kind": "day", "visited_at": timezone.now(), "people_met": "户主本人"}
    kwargs.setdefault("facts", {})
    return services.visit_log(
        visitor=visitor, household=household, submission_key=uuid.uuid4(), details=details, **kwargs
    )[0]


@pytest.fixture
def corrected(alice, alice_household):
    """A household whose ethnicity was corrected before and whose phone is corrected now."""
    log(alice, alice_household, corrections=[services.CorrectionInput("ethnicity", "回")])
    old_phone = alice_household.phone
    visit = log(alice, alice_household, facts={"phone": "13700001111"})
    return visit, old_phone


def test_the_form_shows_the_current_value_of_each_item(client, alice, alice_household, corrected):
    client.force_login(alice)
    body = client.get(reverse("visits:visit_create", args=[alice_household.pk])).content.decode()
    assert "当前:回" in body  # the last corrected ethnicity
    birth = alice_household.head_id_number[6:10]
    assert f"当前:{birth}-**-**" in body  # the head's birth date from the ID number, masked
    assert alice_household.head_id_number not in body


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        ("birth_date", "高中", "出生日期应为日期"),
        ("birth_date", "1850-01-01", "超出范围"),
        ("head_id_number", "321322196001010011", "校验位不正确"),
        ("marital_status", "高中", "请选择"),
        ("ethnicity", "12", "民族请填写汉字"),
        ("employer", "厂" * 200, "最多"),
    ],
)
def test_a_bad_value_is_refused_by_item_with_a_chinese_message(client, alice, alice_household, item, value, message):
    client.force_login(alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    response = client.post(url, visit_post(alice_household, **{f"fix-{item}": value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Visit.objects.exists()


def test_a_good_value_is_saved_with_the_current_value_as_the_old_one(client, alice, alice_household, corrected):
    client.force_login(alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    new_id = valid_id_number(99_999)
    data = visit_post(
        alice_household,
        **{"fix-ethnicity": "汉", "fix-birth_date": "1961-02-03", "fix-head_id_number": new_id.lower()},
    )
    data["fix-old_value"] = "typed by hand"  # there is no such field: the old value is the current one
    assert client.post(url, data).status_code == 302
    visit = Visit.objects.latest("pk")
    rows = {c.field: (c.old_value, c.new_value) for c in visit.corrections.all()}
    assert rows["ethnicity"] == ("回", "汉")
    assert rows["birth_date"][1] == "1961-02-03"
    assert rows["head_id_number"][1] == new_id
    alice_household.refresh_from_db()
    assert alice_household.head_id_number == new_id


def test_an_id_number_of_another_household_is_refused(alice, alice_household, village_a):
    from tests.core.factories import HouseholdFactory

    other = HouseholdFactory(village=village_a)
    with pytest.raises(services.VisitError, match="已登记在另一户"):
        log(alice, alice_household, corrections=[services.CorrectionInput("head_id_number", other.head_id_number)])


@pytest.mark.parametrize("role", [User.Role.LEGAL, User.Role.EVALUATOR])
def test_phone_corrections_are_masked_everywhere(client, alice, bob, alice_household, corrected, role):
    visit, old_phone = corrected
    pages = {
        alice: [visit.get_absolute_url(), alice_household.get_absolute_url(), reverse("visits:diary")],
        bob: [visit.get_absolute_url(), alice_household.get_absolute_url()],
        UserFactory(role=role): [visit.get_absolute_url(), alice_household.get_absolute_url()],
    }
    for user, urls in pages.items():
        log_in_as(client, user)
        for url in urls:
            body = client.get(url).content.decode()
            assert "137****1111" in body, (user, url)
            assert "13700001111" not in body and old_phone not in body, (user, url)


def test_the_visit_page_reveals_a_correction_through_the_audited_action(client, alice, corrected):
    visit, old_phone = corrected
    client.force_login(alice)
    response = client.post(reverse("visits:visit_reveal", args=[visit.pk]), {"field": "phone"})
    body = response.content.decode()
    assert "13700001111" in body and old_phone in body
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL_PHONE)
    assert entry.actor == alice and entry.object_id == str(visit.pk)
    assert "13700001111" not in client.get(visit.get_absolute_url()).content.decode()


def test_the_household_reveal_shows_its_phone_corrections_in_full(client, alice, alice_household, corrected):
    client.force_login(alice)
    body = client.post(reverse("households:household_reveal", args=[alice_household.pk]), {"field": "phone"})
    assert "联系电话" in body.content.decode() and body.content.decode().count("13700001111") >= 2


def test_a_role_without_reveal_rights_cannot_reveal_on_the_visit_page(client, corrected):
    visit, _ = corrected
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    response = client.post(reverse("visits:visit_reveal", args=[visit.pk]), {"field": "id_number"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_ID_NUMBER).exists()


def test_a_birth_date_corrected_within_its_year_reads_as_corrected_not_as_no_change(client, alice, alice_household):
    """Issue #8, finding 6: masked, 1998-03-02 → 1998-08-12 would read 1998-**-** → 1998-**-**."""
    log(alice, alice_household, corrections=[services.CorrectionInput("birth_date", "1998-03-02")])
    visit = log(alice, alice_household, corrections=[services.CorrectionInput("birth_date", "1998-08-12")])
    client.force_login(alice)
    for url in (visit.get_absolute_url(), reverse("visits:diary"), alice_household.get_absolute_url()):
        body = client.get(url).content.decode()
        assert "出生日期 已更正(1998-**-**)" in body, url
        assert "1998-**-** → 1998-**-**" not in body and "08-12" not in body, url
    revealed = client.post(reverse("visits:visit_reveal", args=[visit.pk]), {"field": "id_number"}).content.decode()
    assert "出生日期 1998-03-02 → 1998-08-12" in revealed


def test_a_member_added_on_the_visit_form_grows_the_family_size_with_a_correction_line(client, alice, alice_household):
    Household.objects.filter(pk=alice_household.pk).update(members_count=1)
    alice_household.refresh_from_db()
    log_in_as(client, alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    response = client.post(url, visit_post(alice_household, **{"fix-member_added": "李小宝,新生儿"}))
    assert response.status_code == 302
    alice_household.refresh_from_db()
    assert alice_household.members_count == 2
    visit = Visit.objects.get(household=alice_household)
    lines = {c.field: (c.old_value, c.new_value) for c in visit.corrections.all()}
    assert lines == {"member_added": ("", "李小宝,新生儿"), "members_count": ("1", "2")}
