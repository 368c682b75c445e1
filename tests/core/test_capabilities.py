"""Each capability: who may, and who may not. Every other check of a role goes through these, so a wrong answer
here is a wrong page, button, menu entry and service at once."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import is_system_actor, system_actor
from jingshi_jiafang.core.models import User
from tests.core.factories import BureauFactory, PoliceRoomFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = User.Role


@pytest.fixture
def people(station_a, station_b, village_a):
    """One of each post: the plain roles at the bureau, officers and heads at station A and its police room."""
    bureau = BureauFactory()
    room_a = village_a.unit
    return {
        "officer": UserFactory(role=Role.OFFICER, unit=room_a),
        "station_head": UserFactory(role=Role.OFFICER, unit=station_a, is_unit_head=True),
        "room_head": UserFactory(role=Role.OFFICER, unit=room_a, is_unit_head=True),
        "duty_officer": UserFactory(role=Role.DUTY_OFFICER, unit=room_a),
        "station_duty_officer": UserFactory(role=Role.DUTY_OFFICER, unit=station_a),
        "leader": UserFactory(role=Role.LEADER, unit=bureau),
        "cadre": UserFactory(role=Role.CADRE, unit=bureau),
        "legal": UserFactory(role=Role.LEGAL, unit=bureau),
        "evaluator": UserFactory(role=Role.EVALUATOR, unit=bureau),
        "admin": UserFactory(role=Role.ADMIN, unit=bureau, is_staff=True),
        "security_admin": UserFactory(role=Role.SECURITY_ADMIN, unit=bureau),
        "auditor": UserFactory(role=Role.AUDITOR, unit=bureau),
        "unassigned": UserFactory(role="", unit=room_a),
        "deactivated_head": UserFactory(role=Role.OFFICER, unit=station_a, is_unit_head=True, is_active=False),
        "other_station_head": UserFactory(role=Role.OFFICER, unit=station_b, is_unit_head=True),
        "officer_without_unit": UserFactory(role=Role.OFFICER, unit=None, is_unit_head=True),
    }


EVERYONE = {
    "officer",
    "station_head",
    "room_head",
    "duty_officer",
    "station_duty_officer",
    "leader",
    "cadre",
    "legal",
    "evaluator",
    "admin",
    "security_admin",
    "auditor",
    "unassigned",
    "deactivated_head",
    "other_station_head",
    "officer_without_unit",
}
HEADS = {"station_head", "room_head", "other_station_head"}
OFFICERS_AT_WORK = {"officer", "station_head", "room_head", "other_station_head", "officer_without_unit"}
DUTY_OFFICERS = {"duty_officer", "station_duty_officer"}

# capability → exactly who may; everyone else in `people` may not.
WHO_MAY = {
    "may_read_residents_data": OFFICERS_AT_WORK | DUTY_OFFICERS | {"leader", "cadre", "legal", "evaluator"},
    "sees_whole_county": {"legal", "evaluator"},
    "sees_unit_area": HEADS | DUTY_OFFICERS,
    "sees_own_households_only": {"officer", "officer_without_unit"},
    "may_read_all_units": {"legal", "evaluator", "admin", "security_admin", "leader"},
    "may_view_coverage": HEADS | {"leader", "cadre", "legal", "evaluator"},
    "may_view_night_compliance": HEADS | {"leader", "legal", "evaluator"},
    "may_view_dashboard": HEADS | {"leader", "cadre", "legal", "evaluator"},
    "may_head_unit": HEADS,
    "may_visit": OFFICERS_AT_WORK | {"leader", "cadre"},
    "may_be_linked_to_households": OFFICERS_AT_WORK,
    "may_hold_area_links": {"leader", "cadre"},
    "may_plan_night_visits": HEADS,
    "may_reassign_households": HEADS,
    "may_upload_attachments": OFFICERS_AT_WORK | DUTY_OFFICERS,
    "may_read_ledgers": OFFICERS_AT_WORK | DUTY_OFFICERS | {"leader", "cadre", "legal", "evaluator"},
    "may_open_ledger_items": (OFFICERS_AT_WORK - {"officer_without_unit"}) | DUTY_OFFICERS | {"leader", "cadre"},
    "may_answer_for_ledger_items": OFFICERS_AT_WORK | DUTY_OFFICERS | {"leader", "cadre"},
    "works_unit_items": (OFFICERS_AT_WORK - {"officer_without_unit"}) | DUTY_OFFICERS,
    "may_call_residents_back": {"evaluator"},
    "may_read_callback_figures": {"evaluator", "leader"},
    "may_be_paired": {"leader", "cadre"},
    "may_read_pairing": {"leader", "cadre", "evaluator"},
    "may_read_daily_reviews": HEADS | {"leader", "cadre", "legal", "evaluator"},
    "may_build_daily_reviews": {"evaluator"},
    "may_read_scores": HEADS | {"leader", "evaluator"},
    "sees_all_scores": {"leader", "evaluator"},
    "may_manage_scores": {"evaluator"},
    "may_read_own_score": OFFICERS_AT_WORK | {"leader", "cadre"},
    "sees_all_pairs": {"leader", "evaluator"},
    "may_read_service_teams": OFFICERS_AT_WORK | DUTY_OFFICERS | {"leader", "cadre", "legal", "evaluator"},
    "may_record_team_activities": OFFICERS_AT_WORK,
    "works_unit_desk": HEADS | DUTY_OFFICERS,
    "may_manage_cards": HEADS | DUTY_OFFICERS,
    "may_staff_talk_room": DUTY_OFFICERS,
    "may_receive_walk_ins": {"officer", "room_head", "duty_officer"},
    "may_work_roster": (OFFICERS_AT_WORK - {"officer_without_unit"}) | DUTY_OFFICERS,
    "may_arrange_duty": HEADS,
    "may_read_topic_visits": {"leader", "legal", "evaluator"},
    "may_lead_topic_visits": {"leader"},
    "may_review_topics": {"legal"},
    "may_administer_reference_data": {"admin"},
    "may_administer_security": {"security_admin"},
    "may_read_audit_log": {"auditor"},
    "may_export_audit_log": {"auditor"},
    "may_export_monthly_report": {"legal"},
    "may_run_questionnaires": {"evaluator"},
    "may_read_questionnaire_results": {"evaluator", "leader"},
    "may_record_field_checks": {"evaluator"},
    "may_import_reference_data": {"admin"},
    "may_import_people": {"security_admin"},
    "may_import": {"admin", "security_admin"},
}


@pytest.mark.parametrize("capability", sorted(WHO_MAY))
def test_capability_admits_exactly_its_people(people, capability):
    predicate = getattr(can, capability)
    admitted = {name for name, user in people.items() if predicate(user)}
    assert admitted == WHO_MAY[capability]
    assert set(people) == EVERYONE


@pytest.mark.parametrize("capability", sorted(WHO_MAY))
def test_nobody_signed_out_and_not_the_system_actor(capability):
    predicate = getattr(can, capability)
    assert not predicate(AnonymousUser())
    assert not predicate(system_actor())


@pytest.mark.parametrize(
    ("field", "who"),
    [
        ("id_number", OFFICERS_AT_WORK | DUTY_OFFICERS | {"legal"}),
        ("phone", OFFICERS_AT_WORK | DUTY_OFFICERS | {"cadre", "leader", "legal", "evaluator"}),
        ("address", set()),
    ],
)
def test_may_reveal_a_number_by_its_kind(people, field, who):
    assert {name for name, user in people.items() if can.may_reveal(user, field)} == who


def test_dispatch_is_for_the_desk_of_the_unit_or_one_above_it(people, village_a, station_a):
    room_a = village_a.unit
    assert can.may_dispatch_matters_of(people["station_head"], room_a)
    assert can.may_dispatch_matters_of(people["station_duty_officer"], room_a)
    assert can.may_dispatch_matters_of(people["duty_officer"], room_a.pk)
    # Not the unit above, not another station, not a plain officer of the unit.
    assert not can.may_dispatch_matters_of(people["duty_officer"], station_a)
    assert not can.may_dispatch_matters_of(people["other_station_head"], room_a)
    assert not can.may_dispatch_matters_of(people["officer"], room_a)
    assert not can.may_dispatch_matters_of(people["station_head"], None)


def test_handling_a_unit_s_matter_is_for_its_officers_and_heads(people, village_a):
    room_a = village_a.unit
    assert can.may_handle_matters_of(people["officer"], room_a)
    assert can.may_handle_matters_of(people["duty_officer"], room_a)
    assert can.may_handle_matters_of(people["station_head"], room_a)
    assert not can.may_handle_matters_of(people["other_station_head"], room_a)
    assert not can.may_handle_matters_of(people["cadre"], room_a)
    assert not can.may_handle_matters_of(people["deactivated_head"], room_a)


def test_duty_is_arranged_for_a_police_room_of_one_s_own_unit(people, village_a, station_b):
    assert can.may_arrange_duty(people["station_head"], village_a.unit)
    assert not can.may_arrange_duty(people["station_head"], PoliceRoomFactory(parent=station_b))
    assert not can.may_arrange_duty(people["duty_officer"], village_a.unit)


def test_area_link_kind_follows_the_role(people):
    assert can.area_link_kind(people["leader"]) == "town"
    assert can.area_link_kind(people["cadre"]) == "village"
    assert can.area_link_kind(people["officer"]) is None


def test_templates_ask_capabilities_by_name(people):
    leader = can.CapabilitiesOf(people["leader"])
    assert leader.lead_topic_visits
    assert not leader.manage_cards
    assert can.CapabilitiesOf(people["legal"]).sees_whole_county
    with pytest.raises(AttributeError):
        _ = leader.User


def test_system_actor_is_one_inactive_user_who_cannot_log_in(client):
    actor = system_actor()
    assert system_actor().pk == actor.pk
    assert not actor.is_active and not actor.role and not actor.has_usable_password()
    assert is_system_actor(actor)
    for password in ("", "system", "!"):
        client.post(reverse("login"), {"username": "system", "password": password})
        assert "_auth_user_id" not in client.session


def test_the_system_actor_is_written_whole_in_one_statement():
    # A job killed between an INSERT and a second write would leave the row half made for every later job.
    with CaptureQueriesContext(connection) as captured:
        system_actor()
    writes = [query["sql"] for query in captured if query["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    assert not User.objects.get(username="system").has_usable_password()


def test_system_actor_is_not_a_person_and_a_person_is_not_it(people):
    assert not is_system_actor(people["officer"])
    assert not is_system_actor(None)


def test_a_person_s_account_under_the_reserved_name_is_refused():
    UserFactory(username="system", role=Role.OFFICER)
    with pytest.raises(ImproperlyConfigured):
        system_actor()


def test_pages_offer_a_button_by_the_same_capability_as_the_service(client, alice, village_a):
    from tests.conftest import log_in_as

    topic_list, matter_list = reverse("feedback:topic_visit_list"), reverse("feedback:matter_list")
    log_in_as(client, UserFactory(role=Role.LEADER))
    assert "新建专题家访" in client.get(topic_list).content.decode()
    log_in_as(client, UserFactory(role=Role.LEGAL))
    assert "新建专题家访" not in client.get(topic_list).content.decode()
    log_in_as(client, UserFactory(role=Role.DUTY_OFFICER, unit=village_a.unit))
    assert "接待来访" in client.get(matter_list).content.decode()
    client.force_login(alice)
    assert "接待来访" not in client.get(matter_list).content.decode()
