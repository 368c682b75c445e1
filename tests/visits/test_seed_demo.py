from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet
from django.urls import reverse

from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from visits.demo import DEMO_USERS
from visits.models import Area, AreaLink, Household, HouseholdLink, Organisation, OrganisationLink, Unit, User
from visits.scopes import households_visible_to

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def county_snapshot() -> list[tuple]:
    return list(
        Household.objects.order_by("head_id_number_hash").values_list(
            "head_name", "head_id_number", "address", "phone", "village__name", "links__officer__username"
        )
    )


def wipe_county() -> None:
    """Everything seed_demo wrote, so it can load again; the append-only audit log only through SQL."""
    from django.db import connection

    from feedback import models as feedback
    from visits.models import AuditEntry, Finding, NightVisitPlan, RegistrationCorrection, Visit

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table}")
    for model in (
        feedback.TalkRoomCallback,
        feedback.MatterHandover,
        feedback.TopicVisitMatter,
        feedback.TopicVisit,
        feedback.MatterEvent,
        feedback.Matter.objects.filter(duplicate_of__isnull=False),
        feedback.Matter,
        feedback.EchoCardEvent,
        feedback.EchoCard,
        feedback.CardBatch,
        feedback.CardSequence,
        feedback.DutyShift,
        RegistrationCorrection,
        Finding,
        NightVisitPlan,
        Visit,
    ):
        (model if isinstance(model, QuerySet) else model.objects.all()).delete()
    for model in (OrganisationLink, Organisation, HouseholdLink, AreaLink, Household, User):
        model.objects.all().delete()
    Area.objects.filter(kind=Area.Kind.VILLAGE).delete()
    Area.objects.all().delete()
    Unit.objects.filter(kind=Unit.Kind.POLICE_ROOM).delete()
    Unit.objects.exclude(kind=Unit.Kind.BUREAU).delete()
    Unit.objects.all().delete()


def test_same_seed_gives_the_same_county():
    seed("--households", "300", "--seed", "7")
    first = county_snapshot()
    wipe_county()
    seed("--households", "300", "--seed", "7")
    assert county_snapshot() == first
    wipe_county()
    seed("--households", "300", "--seed", "8")
    assert county_snapshot() != first


def test_running_twice_changes_nothing():
    seed("--households", "200")
    counts = [model.objects.count() for model in (Unit, Area, Household, HouseholdLink, User)]
    assert "nothing changed" in seed("--households", "200")
    assert [model.objects.count() for model in (Unit, Area, Household, HouseholdLink, User)] == counts


def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--households", "10")
    assert not Household.objects.exists()


def test_every_household_has_a_valid_id_and_one_responsible_officer():
    seed("--households", "500")
    assert Household.objects.count() == 500
    for household in Household.objects.all()[:100]:
        household.full_clean()
    open_links = HouseholdLink.objects.filter(end_date__isnull=True).count()
    assert open_links == 500


def test_demo_users_log_in_and_see_their_part_of_the_county(client, settings):
    seed("--households", "6000")
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
    seed("--households", "2000", "--days", "400")
    assert HouseholdLink.objects.filter(end_date__isnull=False).exists()


def test_100000_household_county_lists_in_bounded_queries(client, django_assert_max_num_queries):
    seed("--households", "100000")
    for username in ("officer", "legal", "cadre"):
        log_in_as(client, User.objects.get(username=username))
        with django_assert_max_num_queries(MAX_PAGE_QUERIES):
            response = client.get(reverse("visits:household_list"), {"page": 2})
        assert len(response.context["page"].object_list) == 25


def test_history_has_visits_of_all_three_kinds_with_outcomes_at_the_reported_rates():
    from feedback.models import Matter
    from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit

    seed("--households", "20000", "--days", "180")
    visits = Visit.objects.count()
    assert set(Visit.objects.values_list("kind", flat=True).distinct()) == {"day", "night", "topic"}
    assert 2.0 < RegistrationCorrection.objects.count() / visits < 4.0  # 1.4 million for 476,300 visits
    assert 0.08 < Finding.objects.filter(kind="dispute").count() / visits < 0.2  # 64,000 disputes
    assert 0.1 < Matter.objects.count() / visits < 0.3
    assert NightVisitPlan.objects.exists()
    assert Household.objects.filter(last_visited_at__isnull=True).exists()  # some households were never visited
    assert Visit.objects.filter(visitor__username="officer").count() > 50
