"""The demo county's people, households, links and corrections."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from jingshi_jiafang.core.imports.services import import_confirm, import_upload
from jingshi_jiafang.core.models import Area, Household, HouseholdLink, Organisation, OrganisationLink, User
from jingshi_jiafang.core.scopes import households_visible_to
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import UserFactory
from tests.core.imports_data import upload
from tests.demo.conftest import DEMO_HOUSEHOLDS
from visits.demo import DEMO_USERS, NEWLY_REGISTERED
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_every_household_but_the_newly_registered_has_one_responsible_officer():
    assert Household.objects.count() == DEMO_HOUSEHOLDS
    for household in Household.objects.all()[:100]:
        household.full_clean()
    linked = HouseholdLink.objects.filter(end_date__isnull=True).values("household")
    assert HouseholdLink.objects.filter(end_date__isnull=True).count() == DEMO_HOUSEHOLDS - NEWLY_REGISTERED
    # The rest moved in lately: all in the second village (the demo station's, not the demo officer's), none
    # visited yet, none paired, none linked before.
    unassigned = Household.objects.exclude(pk__in=linked)
    assert unassigned.count() == NEWLY_REGISTERED
    second_village = Area.objects.filter(kind=Area.Kind.VILLAGE).order_by("code")[1]
    assert set(unassigned.values_list("village", flat=True)) == {second_village.pk}
    assert not unassigned.filter(last_visited_at__isnull=False).exists()
    assert not Visit.objects.filter(household__in=unassigned).exists()
    assert not HouseholdLink.objects.filter(household__in=unassigned).exists()


def test_the_station_head_finds_the_newly_registered_households_to_assign(client, demo_county):
    assert f"{NEWLY_REGISTERED} newly registered households" in demo_county
    head = User.objects.get(username="station")
    log_in_as(client, head)
    response = client.get(reverse("households:unlinked_list"))
    second_village = Area.objects.filter(kind=Area.Kind.VILLAGE).order_by("code")[1]
    assert [(row.village_id, row.unlinked) for row in response.context["rows"]] == [
        (second_village.pk, NEWLY_REGISTERED)
    ]
    page = client.get(reverse("households:unlinked_village", args=[second_village.pk]))
    assert len(page.context["page"].object_list) == min(25, NEWLY_REGISTERED)


def test_households_and_organisations_carry_the_numbers_a_links_import_names(django_capture_on_commit_callbacks):
    assert not Household.objects.filter(registration_number__isnull=True).exists()
    assert not Organisation.objects.filter(code__isnull=True).exists()
    household = Household.objects.filter(links__officer__username="officer").order_by("pk").first()
    assert household.registration_number == f"{household.village.code}0001"
    organisation = Organisation.objects.order_by("pk").first()
    colleague = User.objects.filter(role=User.Role.OFFICER, unit=household.village.unit).exclude(username="officer")
    colleague = colleague.exclude(is_unit_head=True).first() or UserFactory(
        role=User.Role.OFFICER, unit=household.village.unit, username="colleague"
    )
    rows = [
        {"link_type": "民警联系户", "username": colleague.username, "target": household.registration_number},
        {"link_type": "民警联系单位", "username": colleague.username, "target": organisation.code},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        run = import_upload(kind="links", upload=upload("links", rows), actor=User.objects.get(username="secadmin"))
    run.refresh_from_db()
    assert list(run.problems.values_list("row_number", "column", "message")) == []
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(run=run, actor=run.uploaded_by, skip_errors=False)
    assert HouseholdLink.objects.get(household=household, end_date__isnull=True).officer == colleague
    assert OrganisationLink.objects.get(organisation=organisation, end_date__isnull=True).officer == colleague


def test_demo_users_log_in_and_see_their_part_of_the_county(client, settings):
    village_households = Household.objects.filter(village=Area.objects.filter(kind="village").first()).count()
    assert village_households >= 900
    for username, role, *_ in DEMO_USERS:
        response = client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, username
        landing = client.get(reverse("home"))
        if role in settings.OTP_REQUIRED_ROLES:
            assert landing.url.startswith(reverse("otp_setup")), username
        else:
            assert landing.status_code == 200, username
        client.post(reverse("logout"))
        user = User.objects.get(username=username)
        assert user.role == role
        visible = households_visible_to(user).count()
        if role in (User.Role.ADMIN, User.Role.SECURITY_ADMIN, User.Role.AUDITOR):
            assert visible == 0, username
        elif role == User.Role.OFFICER:
            assert visible >= village_households
        else:
            assert visible > 0, username


def test_links_have_history_from_reassignments():
    assert HouseholdLink.objects.filter(end_date__isnull=False).exists()


def test_a_large_county_lists_in_bounded_queries(client, django_assert_max_num_queries):
    # Query counts do not grow with the county; timings at county scale are `make bench`'s.
    # A cadre's households are read as two lists first, his villages and his paired household (core/scopes.py).
    for username, lists in (("officer", 0), ("legal", 0), ("cadre", 2)):
        log_in_as(client, User.objects.get(username=username))
        with django_assert_max_num_queries(MAX_PAGE_QUERIES + lists):
            response = client.get(reverse("households:household_list"), {"page": 2})
        assert len(response.context["page"].object_list) == 25


def test_no_two_households_of_a_village_share_a_house_number():
    seen = set()
    for village, address in Household.objects.values_list("village_id", "address"):
        number = re.fullmatch(r".+?(\d+)组(\d+)号", address).group(2)
        assert (village, number) not in seen, address
        seen.add((village, number))
    for village, address in Organisation.objects.values_list("village_id", "address"):
        assert (village, re.fullmatch(r".+?(\d+)组(\d+)号", address).group(2)) not in seen, address


def test_corrections_vary_and_leave_each_household_with_its_last_value():
    from visits.models import RegistrationCorrection

    corrections = list(RegistrationCorrection.objects.order_by("visit__visited_at", "pk"))
    by_field: dict[str, Counter] = {}
    for c in corrections:
        by_field.setdefault(c.field, Counter())[(c.old_value, c.new_value)] += 1
    assert len(by_field) >= 8
    for field, pairs in by_field.items():
        assert len(pairs) >= 5, field  # not the same old and new value every time
        assert pairs.most_common(1)[0][1] / pairs.total() < 0.5, field
    assert all(c.old_value != c.new_value for c in corrections)
    last: dict[tuple[int, str], str] = {}
    for correction in corrections:
        key = (correction.household_id, correction.field)
        if key in last and correction.field in ("phone", "members_count"):
            assert correction.old_value == last[key]  # old → new → newer, never out of thin air
        last[key] = correction.new_value
    for household in Household.objects.filter(pk__in={pk for pk, _ in last}):
        if (household.pk, "phone") in last:
            assert household.phone == last[(household.pk, "phone")]
        if (household.pk, "members_count") in last:
            assert str(household.members_count) == last[(household.pk, "members_count")]


def test_demo_corrections_use_only_values_the_visit_form_offers():
    """Issue #8, finding 11: the demo showed 大专 and 再婚, which the form does not offer."""
    from visits.models import RegistrationCorrection
    from visits.visit_forms import RegistrationItemsForm

    form = RegistrationItemsForm(current={})
    for field in ("marital_status", "education"):
        offered = {value for value, _ in form.fields[field].choices}
        values = RegistrationCorrection.objects.filter(field=field).values_list("old_value", "new_value")
        assert values, field
        used = {value for pair in values for value in pair}
        assert used <= offered, (field, used - offered)


def test_make_run_prints_the_logins_once(demo_county):
    """seed_demo says where the logins are; the start banner of `make run` lists them."""
    from pathlib import Path

    output = demo_county
    assert "officer" not in output and "jiafang-demo-2026" not in output
    run_dev = (Path(__file__).resolve().parents[2] / "bin" / "run-dev").read_text()
    assert run_dev.count("manage.py demo_logins") == 1
    assert "officer" not in run_dev and "DEMO_PASSWORD" not in run_dev
