"""The history of a matter and of a card is append-only, like the audit log: no code path changes or removes a
row once written."""

import pytest

from feedback import services
from feedback.models import EchoCardEvent, MatterEvent
from jingshi_jiafang.core.models import User
from tests.core.factories import UserFactory
from tests.feedback.helpers import issue_and_hand_out, walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


@pytest.fixture
def histories(duty, alice_household):
    walk_in(duty)
    _, card = issue_and_hand_out(duty.unit, duty, alice_household)
    services.card_void(card=card, actor=duty, reason="遗失")
    return MatterEvent, EchoCardEvent


def test_history_rows_cannot_be_updated_or_deleted_through_a_queryset(histories):
    for model in histories:
        count = model.objects.count()
        assert count >= 1
        with pytest.raises(TypeError, match="append-only"):
            model.objects.update(note="改写")
        with pytest.raises(TypeError, match="append-only"):
            model.objects.filter(pk__gt=0).delete()
        assert model.objects.count() == count and not model.objects.filter(note="改写").exists()


def test_a_history_row_cannot_be_saved_again_or_deleted(histories):
    for model in histories:
        row = model.objects.first()
        row.note = "改写"
        with pytest.raises(TypeError, match="append-only"):
            row.save()
        with pytest.raises(TypeError, match="append-only"):
            row.delete()
        row.refresh_from_db()
        assert row.note != "改写"


def test_new_history_rows_are_still_written(duty):
    matter = walk_in(duty)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    assert list(matter.events.values_list("to_state", flat=True)) == ["reported", "analysed"]
