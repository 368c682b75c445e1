import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet
from django.urls import reverse

from jingshi_jiafang.core.models import (
    Area,
    AreaLink,
    Household,
    HouseholdLink,
    Organisation,
    OrganisationLink,
    Unit,
    User,
)
from jingshi_jiafang.core.scopes import households_visible_to
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from visits.demo import DEMO_USERS

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def county_snapshot() -> list[tuple]:
    return list(
        # A household handed over has several links: their order is part of the snapshot, not left to the database.
        Household.objects.order_by("head_id_number_hash", "links__start_date", "links__officer__username").values_list(
            "head_name", "head_id_number", "address", "phone", "village__name", "links__officer__username"
        )
    )


def wipe_county() -> None:
    """Everything seed_demo wrote, so it can load again; the append-only audit log and histories only through SQL."""
    from django.db import connection

    from evaluation import models as evaluation
    from feedback import models as feedback
    from jingshi_jiafang.core.models import AuditEntry, PairingLink
    from ledger import models as ledger
    from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit

    evaluation.CallbackAttempt.objects.all().delete()
    evaluation.Callback.objects.all().delete()
    evaluation.DailyReview.objects.all().delete()
    ledger.LedgerEvidence.objects.all().delete()
    with connection.cursor() as cursor:
        for append_only in (
            AuditEntry,
            evaluation.Answer,
            evaluation.QuestionnaireResponse,
            evaluation.FieldCheck,
            ledger.LedgerItemEvent,
            feedback.MatterEvent,
            feedback.EchoCardEvent,
        ):
            cursor.execute(f"DELETE FROM {append_only._meta.db_table}")

    for model in (
        evaluation.VillageDaySummary,
        evaluation.UnitDaySummary,
        evaluation.SampledHousehold,
        evaluation.Questionnaire,
        evaluation.Score,
        evaluation.ScoreMonth,
        ledger.TeamActivity,
        ledger.TeamMember,
        ledger.ServiceTeam,
        ledger.PairingContact,
        ledger.LedgerItem,
        ledger.Ledger,
        PairingLink,
        feedback.TalkRoomCallback,
        feedback.MatterHandover,
        feedback.TopicVisitMatter,
        feedback.TopicVisit,
        feedback.TopicMonth,
        feedback.TopicModel,
        feedback.Matter.objects.filter(duplicate_of__isnull=False),
        feedback.Matter,
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


def test_a_large_county_lists_in_bounded_queries(client, django_assert_max_num_queries):
    # Query counts do not grow with the county: 20,000 households show it; timings at 100,000 are `make bench`'s.
    seed("--households", "20000")
    for username in ("officer", "legal", "cadre"):
        log_in_as(client, User.objects.get(username=username))
        with django_assert_max_num_queries(MAX_PAGE_QUERIES):
            response = client.get(reverse("households:household_list"), {"page": 2})
        assert len(response.context["page"].object_list) == 25


def test_history_has_visits_of_all_four_kinds_with_outcomes_at_the_reported_rates():
    from feedback.models import Matter
    from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit

    seed("--households", "20000", "--days", "180")
    # The reported rates are those of the layered visits; pairing visits are a year of 260 people's monthly duty.
    visits = Visit.objects.exclude(kind="pairing").count()
    assert set(Visit.objects.values_list("kind", flat=True).distinct()) == {"day", "night", "topic", "pairing"}
    assert 2.0 < RegistrationCorrection.objects.count() / visits < 4.0  # 1.4 million for 476,300 visits
    assert 0.08 < Finding.objects.filter(kind="dispute").count() / visits < 0.2  # 64,000 disputes
    assert 0.1 < Matter.objects.count() / visits < 0.3
    assert NightVisitPlan.objects.exists()
    assert Household.objects.filter(last_visited_at__isnull=True).exists()  # some households were never visited
    assert Visit.objects.filter(visitor__username="officer").count() > 50


# The demo must look like a real county: dates, stages, deadlines, texts, addresses and corrections.


def matters_with_events():
    from feedback.models import Matter

    return list(Matter.objects.prefetch_related("events").order_by("pk"))


def test_matters_are_spread_over_the_period_and_found_at_every_stage():
    from django.utils import timezone

    from feedback.models import Matter

    seed("--households", "6000", "--days", "120")
    now = timezone.now()
    matters = list(Matter.objects.all())
    assert len(matters) > 150
    days = {timezone.localdate(m.created_at) for m in matters}
    assert len(days) > 80  # not all dated today
    assert min(m.created_at for m in matters) < now - timedelta(days=100)
    assert {m.state for m in matters} == set(Matter.State.values)
    older = [m for m in matters if m.created_at < now - timedelta(days=30)]
    assert sum(m.state in ("closed", "merged") for m in older) / len(older) > 0.85
    recent = [m for m in matters if m.created_at > now - timedelta(days=3)]
    assert {"reported", "analysed", "dispatched", "handling"} <= {m.state for m in recent}
    assert sum(m.is_open for m in recent) / len(recent) > 0.5
    assert any(m.is_overdue for m in matters)
    assert all(
        m.duplicate_of is not None and not m.duplicate_of.duplicate_of_id for m in matters if m.state == "merged"
    )


def test_every_matter_went_through_the_flow_in_order_with_deadlines_after_registration():
    from django.utils import timezone

    from feedback.models import Matter
    from feedback.workflows import ALLOWED_TRANSITIONS

    seed("--households", "4000", "--days", "90")
    now = timezone.now()
    for matter in matters_with_events():
        events = list(matter.events.all())
        assert events[0].from_state == "" and events[0].to_state == "reported"
        assert abs(events[0].at - matter.created_at) < timedelta(seconds=1)  # one transaction with the services
        state = "reported"
        for earlier, event in zip(events, events[1:], strict=False):
            assert earlier.at <= event.at <= now, matter.reference
            assert event.from_state == state, matter.reference
            if event.to_state != state:
                assert event.to_state in ALLOWED_TRANSITIONS[state], matter.reference
                state = event.to_state
        assert state == matter.state, matter.reference
        if matter.deadline is not None:
            assert matter.deadline >= matter.created_at
        if matter.state in ("dispatched", "handling", "closed"):
            assert matter.deadline is not None and matter.assignee_id and matter.category
        if matter.escalated_at is not None:
            assert matter.escalated_at >= matter.deadline
        assert (matter.state == "closed") == (matter.closed_at is not None)
        if matter.closed_at:
            assert matter.created_at < matter.closed_at <= now and matter.result
    escalations = Matter.objects.filter(escalated_at__isnull=False).count()
    assert escalations and escalations == Matter.objects.filter(events__note__startswith="超期").count()


def test_each_matter_says_something_of_its_own_category():
    from feedback.demo_texts import MATTER_TEXTS
    from feedback.models import Matter

    seed("--households", "4000", "--days", "90")
    category_of = {text: category for category, texts in MATTER_TEXTS.items() for text in texts}
    for content, category in Matter.objects.values_list("content", "category"):
        assert content in category_of, content
        if category:
            assert category_of[content] == category, (content, category)
    assert set(Matter.objects.exclude(category="").values_list("category", flat=True)) == set(MATTER_TEXTS)


def test_the_text_pools_are_many_different_sentences_per_category():
    from difflib import SequenceMatcher

    from feedback.demo_texts import MATTER_TEXTS, RESULTS
    from feedback.models import Category

    assert set(MATTER_TEXTS) == set(Category.values) == set(RESULTS)
    every = [text for texts in MATTER_TEXTS.values() for text in texts]
    assert len(every) == len(set(every))
    for texts in MATTER_TEXTS.values():
        assert len(texts) >= 20
        for index, text in enumerate(texts):
            for other in texts[index + 1 :]:
                # Not a template with one word swapped.
                assert SequenceMatcher(None, text, other).ratio() < 0.5, (text, other)


def test_no_two_households_of_a_village_share_a_house_number():
    seed("--households", "6000")
    seen = set()
    for village, address in Household.objects.values_list("village_id", "address"):
        number = re.fullmatch(r".+?(\d+)组(\d+)号", address).group(2)
        assert (village, number) not in seen, address
        seen.add((village, number))
    for village, address in Organisation.objects.values_list("village_id", "address"):
        assert (village, re.fullmatch(r".+?(\d+)组(\d+)号", address).group(2)) not in seen, address


def test_corrections_vary_and_leave_each_household_with_its_last_value():
    from visits.models import RegistrationCorrection

    seed("--households", "4000", "--days", "90")
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


def test_topic_visits_take_matters_of_their_own_category():
    from feedback.models import TopicVisitMatter

    seed("--households", "6000", "--days", "90")
    items = list(TopicVisitMatter.objects.select_related("topic_visit", "matter"))
    assert items
    assert all(item.matter.category == item.topic_visit.category for item in items)


def test_the_loader_reads_nothing_back_from_the_tables_it_has_just_bulk_loaded():
    """On PostgreSQL such a read, planned before ANALYZE, once took 17 minutes for 100,000 households."""
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feedback.demo import seed_matter_history
    from visits.demo import seed_county

    with CaptureQueriesContext(connection) as queries:
        result = seed_county(households=3000, days=60, seed=1, password="x")
        seed_matter_history(rng=random.Random(1), visits=result.visits, officer_of=result.officer_of)
    bulk_loaded = (
        "core_household",
        "core_householdlink",
        "visits_visit",
        "visits_registrationcorrection",
        "feedback_matter",
    )
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert reads
    assert not [sql for sql in reads if any(f'"{table}"' in sql for table in bulk_loaded)]


def test_demo_logins_list_every_demo_user_and_say_who_needs_a_totp_app(settings):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert settings.DEMO_PASSWORD in text
    for username, role, *_ in DEMO_USERS:
        line = next(line for line in text.splitlines() if line.split()[:1] == [username])
        assert line.rstrip().endswith("*") == (role in settings.OTP_REQUIRED_ROLES), username
    note = text[text.index("* ") :]
    assert "TOTP" in note and "FreeOTP" in note and "Google Authenticator" in note
    assert all(name in note for name in ("leader", "admin", "secadmin", "auditor"))


def test_make_run_prints_the_logins_once():
    """seed_demo says where the logins are; the start banner of `make run` lists them."""
    from pathlib import Path

    output = seed("--households", "50")
    assert "officer" not in output and "jiafang-demo-2026" not in output
    run_dev = (Path(__file__).resolve().parents[2] / "bin" / "run-dev").read_text()
    assert run_dev.count("manage.py demo_logins") == 1
    assert "officer" not in run_dev and "DEMO_PASSWORD" not in run_dev


def test_demo_corrections_use_only_values_the_visit_form_offers():
    """Issue #8, finding 11: the demo showed 大专 and 再婚, which the form does not offer."""
    from visits.models import RegistrationCorrection
    from visits.visit_forms import RegistrationItemsForm

    seed("--households", "2000", "--days", "60")
    form = RegistrationItemsForm(current={})
    for field in ("marital_status", "education"):
        offered = {value for value, _ in form.fields[field].choices}
        values = RegistrationCorrection.objects.filter(field=field).values_list("old_value", "new_value")
        assert values, field
        used = {value for pair in values for value in pair}
        assert used <= offered, (field, used - offered)


def test_the_last_two_weeks_of_the_demo_have_daily_notices_built_as_the_job_builds_them():
    from django.utils import timezone

    from evaluation.demo_reviews import DEMO_REVIEW_DAYS
    from evaluation.models import DailyReview

    assert "14 daily notices" in seed("--households", "300", "--days", "30")
    today = timezone.localdate()
    reviews = list(DailyReview.objects.order_by("day"))
    assert [review.day for review in reviews] == [today - timedelta(days=n) for n in range(DEMO_REVIEW_DAYS, 0, -1)]
    assert all(review.built_by is None and review.rebuilt_count == 0 for review in reviews)
    assert sum(review.figures["visits"]["total"] for review in reviews) > 0


def test_the_legal_department_has_closed_the_months_before_last_and_left_half_of_last_month(client):
    from django.utils import timezone

    from feedback.models import Matter, TopicModel, TopicMonth
    from feedback.selectors import matters_of_month
    from feedback.services.classification import previous_month

    out = seed("--households", "1500", "--days", "90")
    last = previous_month(timezone.localdate())
    closed = list(TopicMonth.objects.values_list("month", flat=True))
    assert (
        closed
        and all(month < last for month in closed)
        and f"months of topics closed by the legal department: {len(closed)}." in out
    )
    assert not Matter.objects.filter(category_suggested="").exists()
    for month in closed:
        assert not matters_of_month(month).filter(category_confirmed_at__isnull=True).exists()
    of_last = matters_of_month(last)
    assert of_last.filter(category_confirmed_at__isnull=True).count() == of_last.count() - of_last.count() // 2
    assert TopicModel.objects.order_by("-version").first().confirmed_examples > 0
    log_in_as(client, User.objects.get(username="legal"))
    page = client.get("/topics/").content.decode()
    assert 'data-testid="topic-item"' in page and "待确认" in page
