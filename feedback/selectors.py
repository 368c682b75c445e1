"""Reads of residents' matters that several views share."""

from django.db.models import Q, QuerySet
from django.http import Http404

from feedback.models import Matter, TopicVisit
from visits.models import User
from visits.scopes import COUNTY_WIDE_ROLES, households_visible_to, unit_subtree


def matters_visible_to(user: User) -> QuerySet[Matter]:
    """A matter is visible with its household, and to the unit responsible for it."""
    if not user.is_authenticated or not user.is_active:
        return Matter.objects.none()
    if user.role in COUNTY_WIDE_ROLES:
        return Matter.objects.all()
    scope = Q(household__in=households_visible_to(user).values("pk"))
    if user.unit_id and (user.is_unit_head or user.role == User.Role.DUTY_OFFICER):
        scope |= Q(unit__in=unit_subtree(user.unit))
    return Matter.objects.filter(scope)


def topic_visits_visible_to(user: User) -> QuerySet[TopicVisit]:
    if user.role in COUNTY_WIDE_ROLES:
        return TopicVisit.objects.all()
    return TopicVisit.objects.filter(Q(leader=user) | Q(staff=user)).distinct()


def get_topic_visit_for_user(user: User, pk: int) -> TopicVisit:
    try:
        return topic_visits_visible_to(user).select_related("leader").get(pk=pk)
    except TopicVisit.DoesNotExist:
        raise Http404("没有找到该专题家访,或您无权查看。") from None


def topic_visit_candidates(*, topic_visit: TopicVisit, text: str = "") -> QuerySet[Matter]:
    """Open matters the leader may take along: in their scope, of the topic's category or not yet classified."""
    matters = (
        matters_visible_to(topic_visit.leader)
        .exclude(state=Matter.State.CLOSED)
        .exclude(topic_items__topic_visit=topic_visit)
        .filter(Q(category=topic_visit.category) | Q(category=""))
        .select_related("household__village__parent")
    )
    if text:
        matters = matters.filter(Q(content__contains=text) | Q(household__head_name__contains=text))
    return matters.order_by("-created_at", "-pk")
