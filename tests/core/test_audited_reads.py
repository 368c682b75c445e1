"""Audited reads are services: revealing a number, downloading an attachment and printing a card sheet check who
may and write the audit entry themselves, whichever view calls them."""

import pytest

from feedback import services as feedback_services
from feedback.errors import CardError
from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.models import AuditEntry, User
from tests.core.factories import AttachmentFactory, UserFactory

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def test_an_officer_reveals_a_number_of_their_household_and_it_is_audited(alice, alice_household):
    field = core_services.personal_number_reveal(household=alice_household, field="phone", actor=alice)
    assert field == "phone"
    entry = AuditEntry.objects.get(action=Action.REVEAL_PHONE)
    assert entry.actor == alice and entry.object_id == str(alice_household.pk)


def test_a_role_without_the_reveal_or_out_of_scope_gets_a_refusal_and_no_entry(alice_household, charlie):
    cadre = UserFactory(role=User.Role.CADRE)
    with pytest.raises(core_services.RevealError, match="无权查看完整号码"):
        core_services.personal_number_reveal(household=alice_household, field="id_number", actor=cadre)
    with pytest.raises(core_services.RevealError, match="不在您的范围内"):
        core_services.personal_number_reveal(household=alice_household, field="phone", actor=charlie)
    assert not AuditEntry.objects.filter(action__in=[Action.REVEAL_PHONE, Action.REVEAL_ID_NUMBER]).exists()


def test_an_attachment_opens_only_in_scope_and_the_download_is_audited(alice, charlie, alice_household):
    attachment = AttachmentFactory(household=alice_household, uploaded_by=alice)
    with pytest.raises(core_services.RevealError):
        core_services.household_attachment_open(attachment=attachment, actor=charlie)
    with core_services.household_attachment_open(attachment=attachment, actor=alice) as file:
        assert file.read()
    assert AuditEntry.objects.filter(action=Action.DOWNLOAD, actor=alice).count() == 1


def test_a_card_sheet_is_printed_by_the_unit_s_desk_only_and_audited(alice, bob, station_a):
    batch = feedback_services.card_batch_issue(unit=station_a, count=2, actor=bob)
    with pytest.raises(CardError, match="打印"):
        feedback_services.card_batch_sheet(batch=batch, actor=alice)
    assert len(feedback_services.card_batch_sheet(batch=batch, actor=bob)) == 2
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.actor == bob and entry.detail == {"what": "echo_card_sheet"}
