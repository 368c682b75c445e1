"""Issue #8/#9: a visit may be entered late only within a short grace and never before the visitor's link began;
late entries are marked and do not keep a night plan; dates and texts are bounded."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.models import HouseholdLink, User
from tests.core.factories import UserFactory
from tests.visits.factories import VisitFactory
from visits import services
from visits.models import NightVisitPlan, Visit
from visits.night import is_night_date, week_start

pytestmark = pytest.mark.django_db


def details(visited_at, **overrides):
    values = {"kind": Visit.Kind.DAY, "visited_at": visited_at, "people_met": "户主本人", "facts_confirmed": True}
    values.update(overrides)
    return values


def log(visitor, household, visited_at, **overrides):
    return services.visit_log(
        visitor=visitor,
        household=household,
        submission_key=uuid.uuid4(),
        details=details(visited_at, **overrides),
        facts={},
    )


def last_night_evening(before_days: int):
    day = timezone.localdate() - timedelta(days=before_days)
    while not is_night_date(day):
        day -= timedelta(days=1)
    return datetime.combine(day, time(20, 15), timezone.get_current_timezone())


def visit_post(household, visited_at: str, **overrides):
    data = {
        "submission_key": str(uuid.uuid4()),
        "kind": "day",
        "visited_at": visited_at,
        "people_met": "户主本人",
        "facts_confirmed": "on",
        "head_name": household.head_name,
        "address": household.address,
        "members_count": household.members_count,
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


def test_a_visit_older_than_the_grace_is_refused_for_every_kind(alice, alice_household):
    with pytest.raises(services.VisitError, match="48 小时"):
        log(alice, alice_household, timezone.now() - timedelta(hours=49))
    two_years_ago = last_night_evening(730)
    with pytest.raises(services.VisitError, match="48 小时"):
        log(alice, alice_household, two_years_ago, kind=Visit.Kind.NIGHT)
    assert not Visit.objects.exists()


def test_the_grace_is_configurable(alice, alice_household, settings):
    settings.VISIT_LATE_ENTRY_HOURS = 72
    visit, _ = log(alice, alice_household, timezone.now() - timedelta(hours=60))
    assert visit.pk


def test_an_entry_on_a_later_day_is_marked_late_and_shown(client, alice, alice_household):
    late, _ = log(alice, alice_household, timezone.now() - timedelta(hours=30))
    # Now, not half an hour ago: from midnight to 00:30 half an hour ago is yesterday, a late entry.
    on_time, _ = log(alice, alice_household, timezone.now())
    assert late.is_late_entry and not on_time.is_late_entry
    client.force_login(alice)
    page = client.get(late.get_absolute_url()).content.decode()
    assert "补录" in page and "录入于" in page
    assert "补录" not in client.get(on_time.get_absolute_url()).content.decode()


def test_a_visit_before_the_link_began_is_refused(alice, alice_household):
    HouseholdLink.objects.filter(officer=alice).update(start_date=timezone.localdate())
    with pytest.raises(services.VisitError, match="联系开始"):
        log(alice, alice_household, timezone.now() - timedelta(hours=30))
    # a minute ago, but not before today's midnight (a run in the first minute of the day)
    today_start = midnight(timezone.localdate())
    assert log(alice, alice_household, max(timezone.now() - timedelta(minutes=1), today_start))[1]


def test_a_night_visit_entered_after_the_grace_does_not_keep_the_plan(client, bob, alice, village_a, alice_household):
    evening = last_night_evening(5)
    NightVisitPlan.objects.create(officer=alice, village=village_a, date=evening.date(), unit=bob.unit, planned_by=bob)
    # Entered today for an evening five days ago, as the backdating bug allowed.
    VisitFactory(visitor=alice, household=alice_household, kind=Visit.Kind.NIGHT, visited_at=evening)
    client.force_login(bob)
    totals = client.get(reverse("visits:night_compliance"), {"week": evening.date().isoformat()}).context["totals"]
    assert (totals.planned, totals.kept, totals.missed) == (1, 0, 1)


def test_a_night_visit_entered_within_the_grace_keeps_the_plan(client, bob, alice, village_a, alice_household):
    evening = last_night_evening(5)
    NightVisitPlan.objects.create(officer=alice, village=village_a, date=evening.date(), unit=bob.unit, planned_by=bob)
    VisitFactory(
        visitor=alice,
        household=alice_household,
        kind=Visit.Kind.NIGHT,
        visited_at=evening,
        created_at=evening + timedelta(hours=14),
    )
    client.force_login(bob)
    week = week_start(evening.date()).isoformat()
    totals = client.get(reverse("visits:night_compliance"), {"week": week}).context["totals"]
    assert totals.kept == 1


@pytest.mark.parametrize("visited_at", ["0001-01-01T00:00", "1900-01-01T10:00", "9999-12-31T23:59"])
def test_the_visit_form_refuses_dates_outside_the_window(client, alice, alice_household, visited_at):
    client.force_login(alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    response = client.post(url, visit_post(alice_household, visited_at))
    assert response.status_code == 400
    assert "走访时间" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_visit_form_refuses_texts_no_person_writes(client, alice, alice_household):
    client.force_login(alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    for field in ("opinions", "result", "dispute", "requests", "people_met"):
        response = client.post(url, visit_post(alice_household, now, **{field: "长" * 100_000}))
        assert response.status_code == 400, field
        assert "字" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_visit_form_offers_the_date_window_to_the_picker(client, alice, alice_household):
    client.force_login(alice)
    form = client.get(reverse("visits:visit_create", args=[alice_household.pk])).context["form"]
    attrs = form.fields["visited_at"].widget.attrs
    assert attrs["min"] < attrs["max"] and len(attrs["max"]) == len("2026-01-01T00:00")


def test_reassign_form_fills_an_iso_date_the_browser_accepts(client, bob, alice_household):
    client.force_login(bob)
    body = client.get(alice_household.get_absolute_url()).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in body


@pytest.mark.parametrize("start", ["9999-12-31", "1900-01-01"])
def test_a_reassignment_far_in_the_future_or_past_is_refused(client, bob, alice, alice_household, village_a, start):
    successor = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
    client.force_login(bob)
    url = reverse("households:household_assign", args=[alice_household.pk])
    response = client.post(url, {"officer": successor.pk, "start_date": start})
    assert response.status_code == 400 and "超出" in response.content.decode()
    assert alice_household.links.get(end_date__isnull=True).officer == alice
    with pytest.raises(core_services.LinkError, match="超出"):
        core_services.household_assign_officer(
            household=alice_household,
            officer=successor,
            start_date=timezone.localdate() + timedelta(days=400),
            actor=bob,
        )


def test_new_links_start_inside_the_window_are_accepted(alice_household, bob, village_a):
    successor = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
    link = core_services.household_assign_officer(
        household=alice_household, officer=successor, start_date=timezone.localdate() + timedelta(days=7), actor=bob
    )
    assert link.start_date > timezone.localdate()


def test_a_submission_key_of_someone_elses_visit_saves_nothing_and_returns_nothing(
    alice, alice_household, charlie, charlie_household
):
    key = uuid.uuid4()
    first, created = services.visit_log(
        visitor=alice, household=alice_household, submission_key=key, details=details(timezone.now()), facts={}
    )
    assert created
    # The same key again from the same officer: the double tap, answered with her visit.
    assert services.visit_log(
        visitor=alice, household=alice_household, submission_key=key, details=details(timezone.now()), facts={}
    ) == (first, False)
    with pytest.raises(services.VisitError, match="提交编号已被使用"):
        services.visit_log(
            visitor=charlie, household=charlie_household, submission_key=key, details=details(timezone.now()), facts={}
        )
    assert Visit.objects.count() == 1
