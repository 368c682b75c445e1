"""Every URL that takes an id is walked with users out of scope, who must get a 404 (a 403 only for a page of
another role), and with a user in scope, who must succeed: the page itself (200), or for a POST the redirect
after success, never a redirect to the login page and never with an error message. charlie (an officer of
another station) is denied in every case. A new URL pattern with a parameter fails
`test_every_parametrised_url_has_a_scoping_case` until a case is added below, so that nobody can add a page
that fetches by id without deciding who may see it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import (
    AreaLinkFactory,
    AttachmentFactory,
    HouseholdFactory,
    OrganisationFactory,
    OrganisationLinkFactory,
    UserFactory,
    png_upload,
)
from tests.visits.factories import NightVisitPlanFactory, VisitFactory


@dataclass(frozen=True)
class Case:
    kwargs: object  # fixtures → the URL's kwargs
    allowed: tuple[str, ...]  # fixture names of users who may: each gets `success`
    denied: tuple[str, ...]  # fixture names of users out of scope: each gets 404
    method: str = "get"
    data: dict | Callable[[dict], dict] = field(default_factory=dict)
    forbidden: tuple[str, ...] = ()  # fixture names of users of a role the page is not for: each gets 403
    success: int | None = None  # 200 for a GET, the redirect after success (302) for a POST, unless given

    def request_data(self, fixtures: dict) -> dict:
        return self.data(fixtures) if callable(self.data) else self.data

    @property
    def expected_success(self) -> int:
        return self.success or (200 if self.method == "get" else 302)


SCOPING_CASES = {
    "households:household_detail": Case(lambda f: {"pk": f["alice_household"].pk}, ("alice", "bob"), ("charlie",)),
    "households:household_assign": Case(
        lambda f: {"pk": f["alice_household"].pk},
        ("bob",),
        ("charlie", "head_b"),
        "post",
        lambda f: {"officer": f["successor"].pk, "start_date": timezone.localdate() + timedelta(days=30)},
        forbidden=("alice",),
    ),
    "households:unlinked_village": Case(
        lambda f: {"pk": f["alice_household"].village_id}, ("bob",), ("head_b",), forbidden=("alice", "charlie")
    ),
    "households:unlinked_assign": Case(
        lambda f: {"pk": f["alice_household"].village_id},
        ("bob",),
        ("head_b",),
        "post",
        lambda f: {"officer": f["successor"].pk, "scope": "selected", "households": [f["alice_household"].pk]},
        forbidden=("alice", "charlie"),
        success=200,
    ),
    "households:household_reveal": Case(
        lambda f: {"pk": f["alice_household"].pk},
        ("alice", "bob"),
        ("charlie",),
        "post",
        {"field": "phone"},
        success=200,
    ),
    "households:attachment_upload": Case(
        lambda f: {"pk": f["alice_household"].pk}, ("alice",), ("charlie",), "post", lambda f: {"file": png_upload()}
    ),
    "households:attachment_download": Case(lambda f: {"pk": f["attachment"].pk}, ("alice", "bob"), ("charlie",)),
    "visits:visit_create": Case(lambda f: {"pk": f["alice_household"].pk}, ("alice", "bob"), ("charlie", "auditor")),
    "visits:organisation_detail": Case(
        lambda f: {"pk": f["alice_organisation"].pk}, ("alice", "bob"), ("charlie", "head_b", "secadmin")
    ),
    "visits:organisation_visit_create": Case(
        lambda f: {"pk": f["alice_organisation"].pk}, ("alice", "bob"), ("charlie", "head_b", "auditor")
    ),
    "visits:visit_detail": Case(lambda f: {"pk": f["visit"].pk}, ("alice", "bob"), ("charlie", "secadmin")),
    "visits:visit_reveal": Case(
        lambda f: {"pk": f["visit"].pk},
        ("alice", "bob"),
        ("charlie", "secadmin"),
        "post",
        {"field": "phone"},
        success=200,
    ),
    "visits:night_plan_remove": Case(
        lambda f: {"pk": f["night_plan"].pk}, ("bob",), ("head_b",), "post", forbidden=("charlie",)
    ),
    "feedback:topic_visit_detail": Case(
        lambda f: {"pk": f["topic"].pk}, ("leader",), ("other_leader",), forbidden=("alice", "charlie")
    ),
    "feedback:topic_visit_add_matters": Case(
        lambda f: {"pk": f["topic"].pk},
        ("leader",),
        ("other_leader",),
        "post",
        lambda f: {"matters": [f["candidate_matter"].pk]},
        forbidden=("alice", "charlie"),
    ),
    "feedback:topic_visit_solution": Case(
        lambda f: {"pk": f["topic_item"].pk},
        ("leader",),
        ("other_leader",),
        "post",
        lambda f: {
            f"item{f['topic_item'].pk}-people_met": "户主本人",
            f"item{f['topic_item'].pk}-solution": "加装路灯",
        },
        forbidden=("alice", "charlie"),
    ),
    "feedback:matter_detail": Case(lambda f: {"pk": f["matter"].pk}, ("duty_a", "bob"), ("charlie", "head_b", "alice")),
    "feedback:matter_act": Case(
        lambda f: {"pk": f["matter"].pk, "action": "analyse"},
        ("duty_a",),
        ("charlie", "head_b", "alice"),
        "post",
        {"analyse-category": "other", "analyse-urgency": "normal"},
    ),
    # The resident's phone is for those who act on the matter: the legal department reads it without acting.
    "feedback:matter_phone_reveal": Case(
        lambda f: {"pk": f["matter"].pk},
        ("duty_a", "bob"),
        ("charlie", "head_b", "alice"),
        "post",
        {"field": "phone"},
        forbidden=("legal",),
        success=200,
    ),
    # The legal department reviews the whole county's matters: nobody of that role is out of scope.
    "feedback:topic_confirm": Case(
        lambda f: {"pk": f["matter"].pk},
        ("legal",),
        (),
        "post",
        {"category": "other", "month": "2026-11", "show": "pending"},
        forbidden=("alice", "charlie", "duty_a", "leader"),
    ),
    "feedback:card_batch_print": Case(lambda f: {"pk": f["card_batch"].pk}, ("bob",), ("charlie", "head_b")),
    "feedback:card_hand_out": Case(lambda f: {"pk": f["visit"].pk}, ("alice",), ("charlie",), forbidden=("bob",)),
    "feedback:contact_card_print": Case(
        lambda f: {"pk": f["alice_household"].pk}, ("alice", "bob"), ("charlie", "head_b", "secadmin")
    ),
    "feedback:walk_in_slip": Case(lambda f: {"pk": f["matter"].pk}, ("duty_a", "bob"), ("charlie", "head_b", "alice")),
    "feedback:walk_in_slip_password": Case(
        lambda f: {"pk": f["matter"].pk}, ("duty_a", "bob"), ("charlie", "head_b", "alice"), "post"
    ),
    "feedback:callback_record": Case(
        lambda f: {"pk": f["callback"].pk}, ("duty_a",), ("charlie", "head_b"), "post", {"outcome": "satisfied"}
    ),
    "feedback:callback_phone_reveal": Case(
        lambda f: {"pk": f["callback"].pk}, ("duty_a",), ("charlie", "head_b"), "post", {"field": "phone"}, success=200
    ),
    "feedback:roster_remove": Case(lambda f: {"pk": f["shift"].pk}, ("bob",), ("charlie", "head_b"), "post"),
    "ledger:item_detail": Case(lambda f: {"pk": f["ledger_item"].pk}, ("alice", "bob"), ("charlie", "head_b")),
    "ledger:item_act": Case(
        lambda f: {"pk": f["ledger_item"].pk, "action": "register"},
        ("alice",),
        ("charlie", "head_b"),
        "post",
        {"register-note": "已报民政所"},
    ),
    "ledger:item_open_for_household": Case(
        lambda f: {"pk": f["alice_household"].pk}, ("alice", "bob"), ("charlie", "secadmin")
    ),
    "ledger:item_open_for_visit": Case(lambda f: {"pk": f["visit"].pk}, ("alice", "bob"), ("charlie", "head_b")),
    "ledger:evidence_download": Case(
        lambda f: {"pk": f["ledger_evidence"].pk}, ("alice", "bob"), ("charlie", "head_b", "auditor")
    ),
    "ledger:ledger_print": Case(lambda f: {"pk": f["ledger_item"].ledger_id}, ("alice", "bob"), ("charlie", "head_b")),
    # Scores: alice's own, her unit head's; head_b (another station's head) and charlie get a 404.
    "evaluation:score_detail": Case(lambda f: {"pk": f["score"].pk}, ("alice", "bob"), ("charlie", "head_b")),
    "evaluation:score_records": Case(
        lambda f: {"pk": f["score"].pk, "metric": "visit_coverage"}, ("alice", "bob"), ("charlie", "head_b")
    ),
    "households:area_detail": Case(lambda f: {"pk": f["alice_household"].village_id}, ("alice", "bob"), ("charlie",)),
    # The security administrator's pages are for that role alone; reaching their own account is refused in
    # tests/visits/test_security_admin.py.
    "core:security_user_detail": Case(
        lambda f: {"pk": f["alice"].pk}, ("secadmin",), (), forbidden=("charlie", "auditor")
    ),
    "core:security_user_role": Case(
        lambda f: {"pk": f["alice"].pk}, ("secadmin",), (), "post", {"role": "cadre"}, forbidden=("charlie", "alice")
    ),
    "core:security_user_unit": Case(
        lambda f: {"pk": f["alice"].pk},
        ("secadmin",),
        (),
        "post",
        lambda f: {"unit": f["alice"].unit_id},
        forbidden=("alice", "auditor", "charlie"),
    ),
    "core:security_area_link_add": Case(
        lambda f: {"pk": f["cadre_link"].user_id},
        ("secadmin",),
        (),
        "post",
        lambda f: {"area": f["village_b"].pk, "start_date": timezone.localdate().isoformat()},
        forbidden=("alice", "charlie"),
    ),
    "core:security_area_link_end": Case(
        lambda f: {"pk": f["cadre_link"].pk}, ("secadmin",), (), "post", forbidden=("alice", "auditor", "charlie")
    ),
    "core:export_job_download": Case(
        lambda f: {"pk": f["export_job"].pk}, ("auditor",), ("charlie", "other_auditor", "secadmin")
    ),
    # The dashboard of an area: its town's leader and the station head see it; another station's head and a
    # leader of another town get a 404, officers (no dashboard) a 403.
    "evaluation:dashboard_area": Case(
        lambda f: {"pk": f["alice_household"].village.parent_id},
        ("bob", "leader"),
        ("head_b", "other_leader"),
        forbidden=("alice", "charlie"),
    ),
    "evaluation:dashboard_area_wall": Case(
        lambda f: {"pk": f["alice_household"].village_id},
        ("bob", "leader"),
        ("head_b", "other_leader"),
        forbidden=("alice", "charlie"),
    ),
    "ledger:team_detail": Case(lambda f: {"pk": f["team"].pk}, ("alice", "bob", "leader"), ("charlie", "head_b")),
    "ledger:team_reveal": Case(
        lambda f: {"pk": f["team"].pk}, ("alice", "bob"), ("charlie", "head_b"), "post", {"field": "phone"}, success=200
    ),
    "ledger:team_member_create": Case(
        lambda f: {"pk": f["team"].pk},
        ("alice",),
        ("charlie", "head_b"),
        "post",
        {"name": "王村干", "kind": "village_cadre", "phone": "13900001111"},
        forbidden=("leader",),
    ),
    "ledger:team_member_leave": Case(
        lambda f: {"pk": f["team"].members.get().pk},
        ("alice", "bob"),
        ("charlie", "head_b"),
        "post",
        forbidden=("leader",),
    ),
    "ledger:team_activity_create": Case(
        lambda f: {"pk": f["team"].pk}, ("alice", "bob"), ("charlie", "head_b"), forbidden=("leader",)
    ),
    "core:security_pairing_add": Case(
        lambda f: {"pk": f["cadre_link"].user_id},
        ("secadmin",),
        (),
        "post",
        lambda f: {
            "village": f["village_b"].pk,
            "household": HouseholdFactory(village=f["village_b"], is_hardship=True).pk,
            "start_date": timezone.localdate().isoformat(),
        },
        forbidden=("alice", "charlie"),
    ),
    "evaluation:callback_detail": Case(
        lambda f: {"pk": f["due_callback"].pk}, ("eva",), (), forbidden=("alice", "charlie")
    ),
    "evaluation:callback_call": Case(
        lambda f: {"pk": f["due_callback"].pk}, ("eva",), (), "post", forbidden=("leader", "charlie"), success=200
    ),
    "evaluation:callback_record": Case(
        lambda f: {"pk": f["due_callback"].pk}, ("eva",), (), "post", {"reached": "no"}, forbidden=("bob", "charlie")
    ),
    "evaluation:callback_raise_matter": Case(
        lambda f: {"pk": f["done_callback"].pk}, ("eva",), (), "post", forbidden=("leader", "charlie")
    ),
    # The evaluation centre's questionnaires (a village's, in alice's town) and field checks: the evaluator works
    # them county-wide; the town's leader reads the results; an officer neither.
    "evaluation:questionnaire_detail": Case(
        lambda f: {"pk": f["questionnaire"].pk}, ("evaluator", "leader"), ("charlie", "other_leader", "alice")
    ),
    "evaluation:questionnaire_results": Case(
        lambda f: {"pk": f["questionnaire"].pk}, ("evaluator", "leader"), ("charlie", "other_leader", "alice")
    ),
    "evaluation:questionnaire_calls": Case(
        lambda f: {"pk": f["questionnaire"].pk}, ("evaluator",), ("charlie", "other_leader"), forbidden=("leader",)
    ),
    "evaluation:questionnaire_answer": Case(
        lambda f: {"pk": f["questionnaire"].samples.get().pk}, ("evaluator",), ("charlie", "leader", "alice")
    ),
    "evaluation:questionnaire_reveal": Case(
        lambda f: {"pk": f["questionnaire"].samples.get().pk},
        ("evaluator",),
        ("charlie", "leader", "alice"),
        "post",
        {"field": "phone"},
        success=200,
    ),
    "evaluation:field_check_for_visit": Case(
        lambda f: {"pk": f["visit"].pk}, ("evaluator",), ("charlie", "head_b"), forbidden=("alice", "bob")
    ),
    "evaluation:field_check_for_ledger_item": Case(
        lambda f: {"pk": f["ledger_item"].pk}, ("evaluator",), ("charlie", "head_b"), forbidden=("alice", "bob")
    ),
    "core:security_otp_reset": Case(
        lambda f: {"pk": f["alice"].pk}, ("secadmin",), (), "post", forbidden=("alice", "auditor", "charlie")
    ),
    # 数据导入: a system administrator's own imports; another system administrator and the security
    # administrator (who imports other kinds) get a 404, officers a 403.
    "core:import_detail": Case(
        lambda f: {"pk": f["import_run"].pk}, ("sysadmin",), ("other_sysadmin", "secadmin"), forbidden=("charlie",)
    ),
    "core:import_progress": Case(
        lambda f: {"pk": f["import_run"].pk}, ("sysadmin",), ("other_sysadmin", "secadmin"), forbidden=("charlie",)
    ),
    "core:import_problems_download": Case(
        lambda f: {"pk": f["import_run"].pk}, ("sysadmin",), ("other_sysadmin", "secadmin"), forbidden=("charlie",)
    ),
    "core:import_confirm": Case(
        lambda f: {"pk": f["import_run"].pk},
        ("sysadmin",),
        ("other_sysadmin", "secadmin"),
        "post",
        forbidden=("charlie", "alice"),
    ),
    "core:import_cancel": Case(
        lambda f: {"pk": f["import_run"].pk},
        ("sysadmin",),
        ("other_sysadmin", "secadmin"),
        "post",
        forbidden=("charlie", "alice"),
    ),
    "core:import_template": Case(
        lambda f: {"kind": "households"}, ("sysadmin",), ("secadmin",), forbidden=("charlie", "auditor")
    ),
    # 每日通报: one county notice for every reader (no scope inside it); a day without one is a 404 for all.
    "evaluation:review_detail": Case(
        lambda f: {"day": f["review"].day}, ("bob", "leader", "evaluator"), (), forbidden=("charlie", "alice")
    ),
    "evaluation:review_rebuild": Case(
        lambda f: {"day": f["review"].day}, ("evaluator",), (), "post", forbidden=("charlie", "bob", "leader")
    ),
}

# Namespaces guarded as a whole by another mechanism.
EXEMPT_NAMESPACES = {
    "admin"
}  # Django admin: reference data only, administrator role only (see jingshi_jiafang/core/admin.py).


def _parametrised_url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXEMPT_NAMESPACES:
                continue
            names += _parametrised_url_names(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.pattern.converters and entry.name:
            names.append(f"{namespace}{entry.name}")
    return names


def test_every_parametrised_url_has_a_scoping_case():
    missing = sorted(set(_parametrised_url_names()) - set(SCOPING_CASES))
    assert not missing, f"add a case to SCOPING_CASES for {missing}"


@pytest.fixture
def fixtures(alice_household, alice, bob, charlie, station_b, village_b):
    secadmin = UserFactory(username="secadmin", role=User.Role.SECURITY_ADMIN)
    auditor = UserFactory(username="auditor", role=User.Role.AUDITOR)
    cadre_link = AreaLinkFactory(area=alice_household.village)
    return {
        "alice_household": alice_household,
        "alice": alice,
        "bob": bob,
        "charlie": charlie,
        "village_b": village_b,
        "secadmin": secadmin,
        "auditor": auditor,
        "legal": UserFactory(username="legal", role=User.Role.LEGAL),
        "cadre_link": cadre_link,
        "export_job": _ready_export_job(auditor),
        "other_auditor": UserFactory(username="other_auditor", role=User.Role.AUDITOR),
        "attachment": AttachmentFactory(household=alice_household, uploaded_by=alice),
        "alice_organisation": OrganisationLinkFactory(
            officer=alice, organisation=OrganisationFactory(village=alice_household.village)
        ).organisation,
        "visit": VisitFactory(household=alice_household, visitor=alice),
        "night_plan": NightVisitPlanFactory(officer=alice, village=alice_household.village, planned_by=bob),
        "head_b": UserFactory(role=User.Role.OFFICER, unit=station_b, is_unit_head=True),
        "successor": UserFactory(role=User.Role.OFFICER, unit=alice.unit),
        **_ledger_fixtures(alice_household, alice),
        "team": _team(alice_household, alice),
        **_topic_fixtures(alice_household),
        **_feedback_fixtures(alice_household, bob),
        **_review_fixtures(),
        **_callback_fixtures(alice_household, alice),
        **_evaluation_fixtures(alice_household),
        "score": _score(alice),
        **_import_fixtures(alice_household.village),
    }


def _import_fixtures(village) -> dict:
    from jingshi_jiafang.core.actors import system_actor
    from jingshi_jiafang.core.imports.services import import_check_run, import_upload
    from tests.core.imports_data import household_rows, upload

    sysadmin = UserFactory(username="sysadmin", role=User.Role.ADMIN, is_staff=True)
    run = import_upload(kind="households", upload=upload("households", household_rows(2, village.code)), actor=sysadmin)
    return {
        "sysadmin": sysadmin,
        "other_sysadmin": UserFactory(username="other_sysadmin", role=User.Role.ADMIN, is_staff=True),
        "import_run": import_check_run(run_id=run.pk, actor=system_actor()),
    }


def _score(officer):
    from evaluation.models import Metric, Score, ScoreComponent

    month = timezone.localdate().replace(day=1)
    score = Score.objects.create(
        period=Score.Period.MONTH,
        period_start=month,
        subject_kind="officer",
        user=officer,
        unit=officer.unit,
        total=50,
        rank=1,
    )
    ScoreComponent.objects.create(
        score=score, metric=Metric.VISIT_COVERAGE, numerator=1, denominator=2, value="0.5", weight=25, points=50
    )
    return score


def _review_fixtures() -> dict:
    from evaluation.services.reviews import daily_review_build
    from jingshi_jiafang.core.actors import system_actor

    return {
        "review": daily_review_build(day=timezone.localdate() - timedelta(days=1), actor=system_actor()),
    }


def _evaluation_fixtures(household) -> dict:
    from evaluation.services.questionnaires import questionnaire_create
    from tests.evaluation.factories import EvaluatorFactory, short_template

    evaluator = EvaluatorFactory(username="evaluator")
    today = timezone.localdate()
    questionnaire = questionnaire_create(
        template=short_template(), area=household.village, start=today, end=today, sample_size=1, actor=evaluator
    )
    return {"evaluator": evaluator, "questionnaire": questionnaire}


def _team(household, officer):
    from tests.ledger.factories import ServiceTeamFactory, TeamMemberFactory

    team = ServiceTeamFactory(area=household.village, leader=officer)
    TeamMemberFactory(team=team)
    return team


def _ready_export_job(auditor):
    from jingshi_jiafang.core.actors import system_actor
    from jingshi_jiafang.core.export_jobs import export_job_run
    from jingshi_jiafang.core.models import ExportJob

    job = ExportJob.objects.create(kind="audit_log", requested_by=auditor, filename="审计日志.xlsx", rows_expected=1)
    return export_job_run(job_id=job.pk, actor=system_actor())


def _feedback_fixtures(household, bob) -> dict:
    from feedback import services
    from feedback.models import DutyShift
    from tests.feedback.helpers import due_callback, walk_in

    duty = UserFactory(username="duty_a", role=User.Role.DUTY_OFFICER, unit=household.village.unit)
    callback = due_callback(duty, "已办结的来访", resident_phone="13912345678")
    tomorrow = timezone.now() + timedelta(days=1)
    return {
        "duty_a": duty,
        "shift": DutyShift.objects.create(
            police_room=duty.unit, officer=duty, starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=8)
        ),
        "matter": walk_in(duty, resident_phone="13812345678"),
        "card_batch": services.card_batch_issue(unit=bob.unit, count=2, actor=bob),
        "callback": callback,
    }


def _callback_fixtures(household, alice) -> dict:
    from evaluation.services.callbacks import callback_record
    from tests.evaluation.factories import VisitCallbackFactory, evaluator

    eva = evaluator(username="eva")
    due = VisitCallbackFactory(visit=VisitFactory(household=household, visitor=alice))
    done = VisitCallbackFactory(visit=VisitFactory(household=household, visitor=alice))
    answer = {"reached": True, "visit_check": "confirmed", "satisfaction": "satisfied", "comment": "路灯坏了"}
    callback_record(callback=done, actor=eva, today=done.due_date, **answer)
    return {"eva": eva, "due_callback": due, "done_callback": done}


def _ledger_fixtures(household, alice) -> dict:
    from ledger import services

    item = services.ledger_item_open(
        actor=alice,
        household=household,
        what="帮助申请危房改造补助",
        deadline=timezone.localdate() + timedelta(days=7),
        unit=household.village.unit,
        source="household",
        responsible=alice,
    )
    event = services.ledger_item_evidence_add(item=item, actor=alice, note="现场照片", files=[png_upload()])
    return {"ledger_item": item, "ledger_evidence": event.evidence.get()}


def _topic_fixtures(household) -> dict:
    from feedback.models import Matter, TopicVisit, TopicVisitMatter
    from feedback.services import matter_register

    leader = UserFactory(username="leader", role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=household.village.parent)
    topic = TopicVisit.objects.create(
        leader=leader, category="public_security", month="2026-11-01", title="防盗", departments="治安大队"
    )
    matter = matter_register(
        channel=Matter.Channel.VISIT, content="丢车", unit=household.village.unit, actor=None, household=household
    )
    item = TopicVisitMatter.objects.create(topic_visit=topic, matter=matter)
    candidate = matter_register(
        channel=Matter.Channel.VISIT, content="路灯坏了", unit=household.village.unit, actor=None, household=household
    )
    return {
        "candidate_matter": candidate,
        "leader": leader,
        "other_leader": UserFactory(username="other_leader", role=User.Role.LEADER),
        "topic": topic,
        "topic_item": item,
    }


def test_every_case_names_a_user_who_may_and_denies_charlie():
    for name, case in SCOPING_CASES.items():
        assert case.allowed, f"{name}: name a user who may, or the case proves nothing"
        assert "charlie" in case.denied + case.forbidden, f"{name}: charlie must be refused"


def _request(client, case: Case, fixtures: dict, url: str, user):
    log_in_as(client, user)
    return getattr(client, case.method)(url, case.request_data(fixtures))


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(SCOPING_CASES))
def test_users_in_scope_may_and_others_get_404_or_403(client, fixtures, url_name):
    case = SCOPING_CASES[url_name]
    url = reverse(url_name, kwargs=case.kwargs(fixtures))
    for names, expected in ((case.denied, 404), (case.forbidden, 403)):
        for name in names:
            status = _request(client, case, fixtures, url, fixtures[name]).status_code
            assert status == expected, f"{name} got {status} for {url}, not {expected}"
    for name in case.allowed:
        response = _request(client, case, fixtures, url, fixtures[name])
        assert response.status_code == case.expected_success, f"{name} got {response.status_code} for {url}"
        if response.status_code == 302:
            assert not response["Location"].startswith(resolve_url(settings.LOGIN_URL)), f"{name} was sent to log in"
        errors = [m.message for m in get_messages(response.wsgi_request) if m.level == message_levels.ERROR]
        assert not errors, f"{name} was refused at {url}: {errors}"


@pytest.mark.django_db
def test_a_matter_raised_on_an_organisation_visit_opens_for_the_officer_who_reported_it(client, alice, charlie):
    """Such a matter has no household to be seen with: its reporting officer (the visit's visitor) opens it from
    the visit page; another officer of the same room, or of another station, still gets a 404."""
    import uuid

    from feedback.models import Matter
    from visits.services import organisation_visit_log

    organisation = OrganisationLinkFactory(officer=alice).organisation
    visit, _ = organisation_visit_log(
        visitor=alice,
        organisation=organisation,
        submission_key=uuid.uuid4(),
        details={"visited_at": timezone.now(), "people_met": "负责人", "opinions": "", "result": ""},
        requests=["门口路灯坏了"],
    )
    matter = Matter.objects.get(visit=visit)
    url = reverse("feedback:matter_detail", args=[matter.pk])
    log_in_as(client, alice)
    assert client.get(url).status_code == 200
    assert f'href="{matter.get_absolute_url()}"' in client.get(visit.get_absolute_url()).content.decode()
    for other in (UserFactory(role=User.Role.OFFICER, unit=alice.unit), charlie):
        log_in_as(client, other)
        assert client.get(url).status_code == 404, other
