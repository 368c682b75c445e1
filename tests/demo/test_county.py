"""The demo county's people, households, links and corrections."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from jingshi_jiafang.core.models import Area, Household, HouseholdLink, Organisation, User
from jingshi_jiafang.core.scopes import households_visible_to
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.demo.conftest import DEMO_HOUSEHOLDS
from visits.demo import DEMO_USERS

pytestmark = pytest.mark.django_db


def test_every_household_has_a_valid_id_and_one_responsible_officer():
    assert Household.objects.count() == DEMO_HOUSEHOLDS
    for household in Household.objects.all()[:100]:
        household.full_clean()
    open_links = HouseholdLink.objects.filter(end_date__isnull=True).count()
    assert open_links == DEMO_HOUSEHOLDS


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
    for username in ("officer", "legal", "cadre"):
        log_in_as(client, User.objects.get(username=username))
        with django_assert_max_num_queries(MAX_PAGE_QUERIES):
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
