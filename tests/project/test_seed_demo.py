from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet

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
from visits.demo import DEMO_USERS, seed_county

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
    # The county's loader, which the seed drives; the rest of seed_demo builds on what it loads.
    seed_county(households=300, days=30, seed=7, password="x")
    first = county_snapshot()
    wipe_county()
    seed_county(households=300, days=30, seed=7, password="x")
    assert county_snapshot() == first
    wipe_county()
    seed_county(households=300, days=30, seed=8, password="x")
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


# The demo must look like a real county: dates, stages, deadlines, texts, addresses and corrections.


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


def test_the_loader_reads_nothing_back_from_the_tables_it_has_just_bulk_loaded():
    """On PostgreSQL such a read, planned before ANALYZE, once took 17 minutes for 100,000 households."""
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feedback.demo import seed_matter_history
    from ledger.demo_matters import MatterItems
    from ledger.models import LedgerItem
    from visits.demo import seed_county

    with CaptureQueriesContext(connection) as queries:
        result = seed_county(households=3000, days=60, seed=1, password="x")
        items = MatterItems(rng=random.Random(1))
        seed_matter_history(rng=random.Random(1), visits=result.visits, officer_of=result.officer_of, follower=items)
        items.save()
    assert LedgerItem.objects.exists()
    bulk_loaded = (
        "core_household",
        "core_householdlink",
        "visits_visit",
        "visits_registrationcorrection",
        "feedback_matter",
        "feedback_matterevent",
        "ledger_ledger",
        "ledger_ledgeritem",
        "ledger_ledgeritemevent",
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
