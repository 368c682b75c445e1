from feedback import services
from feedback.models import Matter
from jingshi_jiafang.core.models import User
from tests.conftest import MAX_PAGE_QUERIES
from tests.core.factories import UserFactory

# A matter list's bound: a list page's, and one query in which the tabs ask the registry's dispatcher rule whether
# this person has the 待研判/分流 queue.
MATTER_LIST_QUERIES = MAX_PAGE_QUERIES + 1


def due_callback(duty, content="邻居装修噪音扰民", **extra):
    """A walk-in the duty officer took, handled and answered, its talk-room callback due today."""
    from django.utils import timezone

    from feedback.models import TalkRoomCallback

    # A number to call back on, as most walk-ins leave; one who left none is not called twice.
    matter = walk_in(duty, content, **{"resident_phone": "13912340000", **extra})
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=matter, actor=duty)
    reply = "phone" if matter.resident_phone else "in_person"  # nobody to phone: told when they come again
    services.matter_close(matter=matter, actor=duty, result="已协调", reply_method=reply)
    callback = TalkRoomCallback.objects.get(matter=matter)
    TalkRoomCallback.objects.filter(pk=callback.pk).update(due_date=timezone.localdate())
    return callback


def walk_in(duty, content="邻居装修噪音扰民", **extra):
    return services.matter_register(
        channel=Matter.Channel.TALK_ROOM,
        content=content,
        unit=duty.unit,
        actor=duty,
        owner=duty,
        resident_name="张大姐",
        **extra,
    )


def head_of(unit):
    """The head of `unit`, who issues its echo cards (a test's setup, not the person under test)."""
    return UserFactory(role=User.Role.OFFICER, unit=unit, is_unit_head=True)


def issue_and_hand_out(unit, actor, household, count=3):
    batch = services.card_batch_issue(unit=unit, count=count, actor=head_of(unit))
    card = batch.cards.order_by("sequence").first()
    services.card_hand_out(number=card.number, household=household, actor=actor)
    card.refresh_from_db()
    return batch, card
