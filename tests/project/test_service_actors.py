"""Every service names who acts and checks their capability itself, not only the view in front of it; a job acts
as the system actor. Refusals are the app's DomainError with words for the user."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from feedback import services as feedback_services
from feedback.errors import CardError, MatterError
from feedback.models import Matter, TopicVisit
from feedback.services import FeedbackError
from feedback.tasks import escalate_overdue_matters_task
from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.audit import (
    AuditError,
    audit_chain_check,
    audit_checkpoint_write,
    audit_full_verification_run,
)
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.export_jobs import ExportError, export_job_run
from jingshi_jiafang.core.models import ExportJob, User
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in
from visits.services import VisitError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "error", [core_services.LinkError, core_services.AttachmentError, VisitError, MatterError, CardError, FeedbackError]
)
def test_every_app_s_refusal_is_a_domain_error(error):
    assert issubclass(error, DomainError)


def test_only_a_unit_head_reassigns_a_household(alice, bob, alice_household, village_a):
    successor = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
    with pytest.raises(core_services.LinkError, match="只有单位负责人"):
        core_services.household_assign_officer(household=alice_household, officer=successor, actor=alice)
    link = core_services.household_assign_officer(household=alice_household, officer=successor, actor=bob)
    assert link.officer == successor


def test_only_the_security_administrator_sets_area_links(bob, village_a):
    cadre = UserFactory(role=User.Role.CADRE)
    with pytest.raises(core_services.LinkError, match="只有安全管理员"):
        core_services.area_link_start(user=cadre, area=village_a, actor=bob)
    secadmin = UserFactory(role=User.Role.SECURITY_ADMIN)
    link = core_services.area_link_start(user=cadre, area=village_a, actor=secadmin)
    with pytest.raises(core_services.LinkError, match="只有安全管理员"):
        core_services.area_link_end(link=link, actor=bob)


def test_cards_are_issued_and_voided_only_by_the_desk_of_their_unit(alice, bob, station_a, station_b):
    with pytest.raises(CardError, match="负责人和值班民警"):
        feedback_services.card_batch_issue(unit=station_a, count=1, actor=alice)
    with pytest.raises(CardError):
        feedback_services.card_batch_issue(unit=station_b, count=1, actor=bob)
    card = feedback_services.card_batch_issue(unit=station_a, count=1, actor=bob).cards.get()
    other_head = UserFactory(role=User.Role.OFFICER, unit=station_b, is_unit_head=True)
    with pytest.raises(CardError, match="不是本单位的卡"):
        feedback_services.card_void(card=card, actor=other_head, reason="遗失")


def test_only_the_leading_leader_picks_matters_and_records_solutions(alice, village_a):
    leader = UserFactory(role=User.Role.LEADER)
    other_leader = UserFactory(role=User.Role.LEADER)
    topic = feedback_services.topic_visit_create(
        leader=leader, staff=[], category="public_security", month=timezone.localdate().replace(day=1), title="治安防范"
    )
    with pytest.raises(FeedbackError, match="带队的局领导"):
        feedback_services.topic_visit_add_matters(topic_visit=topic, actor=other_leader, matters=[])
    with pytest.raises(FeedbackError, match="由局领导带队"):
        feedback_services.topic_visit_create(
            leader=alice, staff=[], category="public_security", month=topic.month, title="x"
        )
    assert TopicVisit.objects.count() == 1


def test_escalation_is_a_job_of_the_system_actor(bob, village_a):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = walk_in(duty)
    feedback_services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    Matter.objects.filter(pk=matter.pk).update(deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(MatterError, match="系统"):
        feedback_services.escalate_overdue_matters(actor=bob)
    assert escalate_overdue_matters_task() == 1
    event = matter.events.get(note__contains="督办")
    assert event.actor == system_actor()
    assert str(event.actor) == "系统"


def test_audit_jobs_run_as_the_system_actor_or_an_auditor(alice, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    with pytest.raises(AuditError):
        audit_full_verification_run(actor=alice)
    with pytest.raises(AuditError):
        audit_checkpoint_write(actor=alice)
    with pytest.raises(AuditError):
        audit_chain_check(actor=alice)
    assert audit_full_verification_run(actor=UserFactory(role=User.Role.AUDITOR)).intact
    call_command("verify_audit_log")


def test_an_export_job_is_written_by_the_system_actor_only():
    auditor = UserFactory(role=User.Role.AUDITOR)
    job = ExportJob.objects.create(kind=ExportJob.Kind.AUDIT_LOG, params={}, requested_by=auditor, filename="x.xlsx")
    with pytest.raises(ExportError):
        export_job_run(job_id=job.pk, actor=auditor)
    assert export_job_run(job_id=job.pk, actor=system_actor()).status == ExportJob.Status.READY
