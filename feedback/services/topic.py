"""Topic visits (专题家访): a leader takes matters of one category into the homes they came from."""

import uuid

from django.db import transaction
from django.utils import timezone

from feedback.models import Matter, TopicVisit, TopicVisitMatter
from jingshi_jiafang.core.capabilities import may_lead_topic_visits
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.once import create_once
from jingshi_jiafang.core.scopes import is_within_links
from visits.models import Visit
from visits.services import visit_log


class FeedbackError(DomainError):
    """A change the rules do not allow; the message is shown to the user."""


class SolutionAlreadyRecorded(FeedbackError):
    """The item's solution was recorded before: the same form sent again (a double tap, 后退 and 记录 again)."""


@transaction.atomic
def topic_visit_create(*, leader: User, staff: list[User], matters: list[Matter] = (), **fields) -> TopicVisit:
    """A new topic visit, with the matters picked when it was started from a closed month's topic."""
    if not may_lead_topic_visits(leader):
        raise FeedbackError("专题家访由局领导带队创建。")
    topic_visit = TopicVisit.objects.create(leader=leader, **fields)
    topic_visit.staff.set(staff)
    if matters:
        topic_visit_add_matters(topic_visit=topic_visit, actor=leader, matters=matters)
    return topic_visit


def topic_visit_create_once(*, submission_key: uuid.UUID, leader: User, **fields) -> tuple[TopicVisit, bool]:
    """Create the topic visit of the form sent with `submission_key`. Returns (topic visit, created): the same
    form sent again (a double tap, 后退 and 创建 again), even at the same moment, returns the first one."""
    topic_visit, created = create_once(
        lambda: topic_visit_create(leader=leader, submission_key=submission_key, **fields),
        lambda: TopicVisit.objects.filter(submission_key=submission_key).first(),
    )
    if topic_visit.leader_id != leader.pk:
        raise FeedbackError("这张表单已经提交过,请刷新页面后重新填写。")
    return topic_visit, created


def topic_visit_add_matters(*, topic_visit: TopicVisit, actor: User, matters: list[Matter]) -> None:
    """The leading leader takes matters along (the page offers those in their sight: `topic_visit_candidates`)."""
    if topic_visit.leader_id != actor.pk:
        raise FeedbackError("只有带队的局领导可以挑选要带去入户的诉求。")
    TopicVisitMatter.objects.bulk_create(
        [TopicVisitMatter(topic_visit=topic_visit, matter=matter) for matter in matters], ignore_conflicts=True
    )


@transaction.atomic
def topic_visit_record_solution(
    *, item: TopicVisitMatter, actor: User, solution: str, people_met: str
) -> TopicVisitMatter:
    """The solution agreed at the resident's home; the home visit itself is a 专题家访 in the visits record."""
    item = (
        TopicVisitMatter.objects.select_for_update(of=("self",))
        .select_related("topic_visit__leader", "matter__household")
        .get(pk=item.pk)
    )
    if item.topic_visit.leader_id != actor.pk:
        raise FeedbackError("只有带队的局领导可以记录解决办法。")
    # What was agreed at the home is already in the diary and the ledger: sent again, it would be written into the
    # ledger item's history twice, and a different text would replace the agreement the resident heard.
    if item.agreed_solution:
        raise SolutionAlreadyRecorded("该诉求的解决办法已经记录过,没有再记录。")
    if item.matter.household is None:
        raise FeedbackError("该诉求没有对应的住户,无法入户。")
    topic_visit = item.topic_visit
    household = item.matter.household
    reason = "" if is_within_links(topic_visit.leader, household) else f"专题家访:{topic_visit.title}"
    if item.visit is None:
        item.visit, _ = visit_log(
            visitor=topic_visit.leader,
            household=household,
            submission_key=uuid.uuid4(),
            details={
                "kind": Visit.Kind.TOPIC,
                "visited_at": timezone.now(),
                "people_met": people_met,
                "facts_confirmed": False,
                "opinions": item.matter.content,
                "result": solution,
                "outside_links_reason": reason,
            },
            facts={},
        )
    item.agreed_solution = solution
    item.save(update_fields=["agreed_solution", "visit"])
    # The second call from feedback into the later ledger app (the first: a dispatched matter's item): what was
    # agreed at the home is a promise to keep, in this transaction. Imported here, not at the top, because ledger
    # builds on feedback; named as an exception in pyproject.toml's import-linter contract.
    from ledger.services import ledger_item_for_topic_solution

    ledger_item_for_topic_solution(item=item, actor=actor)
    return item
