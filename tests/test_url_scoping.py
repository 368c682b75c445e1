"""Every URL that takes an id is walked with users out of scope, who must get a 404 (or a 403 for a page of
another role). A new URL pattern with a parameter fails `test_every_parametrised_url_has_a_scoping_case` until
a case is added below, so that nobody can add a page that fetches by id without deciding who may see it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, AttachmentFactory, UserFactory, png_upload
from tests.visits.factories import NightVisitPlanFactory, VisitFactory


@dataclass(frozen=True)
class Case:
    kwargs: object  # fixtures → the URL's kwargs
    allowed: tuple[str, ...]  # fixture names of users who may
    denied: tuple[str, ...]  # fixture names of users who must get 404/403
    method: str = "get"
    data: dict | Callable[[dict], dict] = field(default_factory=dict)

    def request_data(self, fixtures: dict) -> dict:
        return self.data(fixtures) if callable(self.data) else self.data


SCOPING_CASES = {
    "households:household_detail": Case(lambda f: {"pk": f["alice_household"].pk}, ("alice", "bob"), ("charlie",)),
    "households:household_assign": Case(
        lambda f: {"pk": f["alice_household"].pk},
        ("bob",),
        ("charlie", "head_b", "alice"),
        "post",
        lambda f: {"officer": f["successor"].pk, "start_date": timezone.localdate() + timedelta(days=30)},
    ),
    "households:household_reveal": Case(
        lambda f: {"pk": f["alice_household"].pk}, ("alice", "bob"), ("charlie",), "post", {"field": "phone"}
    ),
    "households:attachment_upload": Case(
        lambda f: {"pk": f["alice_household"].pk}, ("alice",), ("charlie",), "post", lambda f: {"file": png_upload()}
    ),
    "households:attachment_download": Case(lambda f: {"pk": f["attachment"].pk}, ("alice", "bob"), ("charlie",)),
    "visits:visit_create": Case(lambda f: {"pk": f["alice_household"].pk}, ("alice", "bob"), ("charlie", "auditor")),
    "visits:visit_detail": Case(lambda f: {"pk": f["visit"].pk}, ("alice", "bob"), ("charlie", "secadmin")),
    "visits:visit_reveal": Case(
        lambda f: {"pk": f["visit"].pk}, ("alice", "bob"), ("charlie", "secadmin"), "post", {"field": "phone"}
    ),
    "visits:night_plan_remove": Case(lambda f: {"pk": f["night_plan"].pk}, ("bob",), ("charlie", "head_b"), "post"),
    "feedback:topic_visit_detail": Case(lambda f: {"pk": f["topic"].pk}, ("leader",), ("other_leader", "alice")),
    "feedback:topic_visit_add_matters": Case(
        lambda f: {"pk": f["topic"].pk}, ("leader",), ("other_leader", "alice"), "post", {"matters": []}
    ),
    "feedback:topic_visit_solution": Case(
        lambda f: {"pk": f["topic_item"].pk}, ("leader",), ("other_leader", "alice"), "post", {"solution": "x"}
    ),
    "feedback:matter_detail": Case(lambda f: {"pk": f["matter"].pk}, ("duty_a", "bob"), ("charlie", "head_b", "alice")),
    "feedback:matter_act": Case(
        lambda f: {"pk": f["matter"].pk, "action": "analyse"},
        ("duty_a",),
        ("charlie", "head_b", "alice"),
        "post",
        {"analyse-category": "other", "analyse-urgency": "normal"},
    ),
    "feedback:card_batch_print": Case(lambda f: {"pk": f["card_batch"].pk}, ("bob",), ("charlie", "head_b")),
    "feedback:card_hand_out": Case(lambda f: {"pk": f["visit"].pk}, ("alice",), ("charlie", "bob")),
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
    "households:area_detail": Case(lambda f: {"pk": f["alice_household"].village_id}, ("alice", "bob"), ("charlie",)),
    "core:security_user_detail": Case(lambda f: {"pk": f["alice"].pk}, ("secadmin",), ("charlie", "auditor")),
    "core:security_user_role": Case(
        lambda f: {"pk": f["secadmin"].pk}, (), ("secadmin", "charlie"), "post", {"role": "officer"}
    ),
    "core:security_user_unit": Case(
        lambda f: {"pk": f["alice"].pk},
        ("secadmin",),
        ("alice", "auditor"),
        "post",
        lambda f: {"unit": f["alice"].unit_id},
    ),
    "core:security_area_link_add": Case(
        lambda f: {"pk": f["secadmin"].pk}, (), ("secadmin", "alice"), "post", {"area": 1, "start_date": "2026-01-01"}
    ),
    "core:security_area_link_end": Case(
        lambda f: {"pk": f["cadre_link"].pk}, ("secadmin",), ("alice", "auditor"), "post"
    ),
    "core:security_otp_reset": Case(lambda f: {"pk": f["alice"].pk}, ("secadmin",), ("alice", "auditor"), "post"),
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
def fixtures(alice_household, alice, bob, charlie, station_b):
    secadmin = UserFactory(username="secadmin", role=User.Role.SECURITY_ADMIN)
    auditor = UserFactory(username="auditor", role=User.Role.AUDITOR)
    cadre_link = AreaLinkFactory(area=alice_household.village)
    return {
        "alice_household": alice_household,
        "alice": alice,
        "bob": bob,
        "charlie": charlie,
        "secadmin": secadmin,
        "auditor": auditor,
        "cadre_link": cadre_link,
        "attachment": AttachmentFactory(household=alice_household, uploaded_by=alice),
        "visit": VisitFactory(household=alice_household, visitor=alice),
        "night_plan": NightVisitPlanFactory(officer=alice, village=alice_household.village, planned_by=bob),
        "head_b": UserFactory(role=User.Role.OFFICER, unit=station_b, is_unit_head=True),
        "successor": UserFactory(role=User.Role.OFFICER, unit=alice.unit),
        **_topic_fixtures(alice_household),
        **_feedback_fixtures(alice_household, bob),
    }


def _feedback_fixtures(household, bob) -> dict:
    from django.utils import timezone

    from feedback import services
    from feedback.models import TalkRoomCallback
    from tests.feedback.helpers import walk_in

    duty = UserFactory(username="duty_a", role=User.Role.DUTY_OFFICER, unit=household.village.unit)
    closed = walk_in(duty, "已办结的来访")
    services.matter_analyse(matter=closed, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=closed, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=closed, actor=duty)
    services.matter_close(matter=closed, actor=duty, result="已答复", reply_method="phone")
    callback = TalkRoomCallback.objects.get(matter=closed)
    TalkRoomCallback.objects.filter(pk=callback.pk).update(due_date=timezone.localdate())
    return {
        "duty_a": duty,
        "matter": walk_in(duty),
        "card_batch": services.card_batch_issue(unit=bob.unit, count=2, actor=bob),
        "callback": callback,
    }


def _topic_fixtures(household) -> dict:
    from feedback.models import Matter, TopicVisit, TopicVisitMatter
    from feedback.services import matter_register

    leader = UserFactory(username="leader", role=User.Role.LEADER)
    topic = TopicVisit.objects.create(
        leader=leader, category="public_security", month="2026-11-01", title="防盗", departments="治安大队"
    )
    matter = matter_register(
        channel=Matter.Channel.VISIT, content="丢车", unit=household.village.unit, actor=None, household=household
    )
    item = TopicVisitMatter.objects.create(topic_visit=topic, matter=matter)
    return {
        "leader": leader,
        "other_leader": UserFactory(username="other_leader", role=User.Role.LEADER),
        "topic": topic,
        "topic_item": item,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(SCOPING_CASES))
def test_users_in_scope_may_and_others_get_404_or_403(client, fixtures, url_name):
    case = SCOPING_CASES[url_name]
    url = reverse(url_name, kwargs=case.kwargs(fixtures))
    for name in case.denied:
        log_in_as(client, fixtures[name])
        status = getattr(client, case.method)(url, case.request_data(fixtures)).status_code
        assert status in (403, 404), f"{name} got {status} for {url}"
    for name in case.allowed:
        log_in_as(client, fixtures[name])
        status = getattr(client, case.method)(url, case.request_data(fixtures)).status_code
        assert status in (200, 302), f"{name} got {status} for {url}"
