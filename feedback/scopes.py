"""Which of the feedback app's objects a user may see, on top of core's household and unit scopes: matters,
echo-card batches, talk-room slips, topic visits. Every view fetches one of them by id through a
`get_<thing>_for_user` helper here, which raises Http404 for an object out of scope."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from feedback.models import CardBatch, DutyShift, Matter, TalkRoomCallback, TopicVisit, TopicVisitMatter
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, Unit, User
from jingshi_jiafang.core.scopes import county_units, households_visible_to, unit_subtree, villages_visible_to
from visits.models import Visit

# Matters.


def unclaimed_in_unit(user: User) -> Q | None:
    """Dispatched to the user's unit with no officer named: any of its officers may take it (开始处理 names the one
    who does), so it is in each one's 我的诉求 and opens for each. None for someone who may not handle them."""
    if not user.unit_id or not can.may_handle_matters_of(user, user.unit_id):
        return None
    states = [Matter.State.DISPATCHED, Matter.State.HANDLING]
    return Q(assignee__isnull=True, assigned_unit=user.unit_id, state__in=states)


def matters_visible_to(user: User) -> QuerySet[Matter]:
    """A matter is visible with its household, to the units it belongs or was dispatched to, and to the
    people who own or handle it. One with no household (raised on an organisation visit) is visible to the
    officer who reported it as well: it has no household page through which they would reach it; one taken in
    at a talk room, to the leaders of the towns its police room serves."""
    if not can.may_read_residents_data(user):
        return Matter.objects.none()
    if can.sees_whole_county(user):
        return Matter.objects.filter(unit__in=county_units(user))
    # The households read first (`households_visible_to`), and the reporter's visits as a subquery, not a join:
    # otherwise every open matter of the county was tested against a list of a station's 20,000 households, read
    # linearly, and joined to the county's million visits (a station head's home took 4-7 s at county scale).
    own_visits = Visit.objects.filter(visitor=user).values("pk")
    scope = (
        Q(household__in=households_visible_to(user, read_first=True).values("pk"))
        | Q(assignee=user)
        | Q(owner=user)
        | Q(household__isnull=True, visit__in=own_visits)
    )
    if can.works_unit_desk(user):
        units = unit_subtree(user.unit)
        scope |= Q(unit__in=units) | Q(assigned_unit__in=units)
    elif (unclaimed := unclaimed_in_unit(user)) is not None:
        scope |= unclaimed
    if can.area_link_kind(user) == Area.Kind.TOWN:
        # A leader answers for their towns: the talk rooms' matters there, which have no household, are theirs too.
        scope |= Q(household__isnull=True, unit__in=villages_visible_to(user).values("unit"))
    return Matter.objects.filter(scope)


def get_matter_for_user(user: User, pk: int) -> Matter:
    try:
        return (
            matters_visible_to(user)
            .select_related(
                "household__village__parent", "unit", "assigned_unit", "assignee", "owner", "echo_card", "duplicate_of"
            )
            .get(pk=pk)
        )
    except Matter.DoesNotExist:
        raise Http404("没有找到该诉求,或您无权查看。") from None


SLIP_CHANNELS = [Matter.Channel.TALK_ROOM, Matter.Channel.PHONE, Matter.Channel.POST_BOX]


def get_slip_matter_for_user(user: User, pk: int) -> Matter:
    """A talk-room matter whose slip (reference and query password) this user may print: its first receiver, or
    the head or a duty officer of the unit it belongs to."""
    matters = matters_visible_to(user).filter(channel__in=SLIP_CHANNELS)
    scope = Q(owner=user)
    if can.works_unit_desk(user):
        scope |= Q(unit__in=unit_subtree(user.unit))
    try:
        return matters.filter(scope).select_related("unit", "owner").get(pk=pk)
    except Matter.DoesNotExist:
        raise Http404("没有找到该诉求,或您无权打印它的回执。") from None


# A callback asks about an answer: it waits while its matter (or the one it was merged into) is handled again.
ANSWERED = Q(matter__state=Matter.State.CLOSED) | Q(
    matter__state=Matter.State.MERGED, matter__duplicate_of__state=Matter.State.CLOSED
)


def callbacks_due(*, user: User) -> QuerySet[TalkRoomCallback]:
    return (
        TalkRoomCallback.objects.filter(
            ANSWERED, done_at__isnull=True, due_date__lte=timezone.localdate(), matter__in=matters_visible_to(user)
        )
        .select_related("matter")
        .order_by("due_date", "pk")
    )


def callback_already_recorded(user: User, pk: int) -> bool:
    """Whether the callback is one the user may see and has been recorded already."""
    visible = TalkRoomCallback.objects.filter(pk=pk, matter__in=matters_visible_to(user))
    return visible.filter(done_at__isnull=False).exists()


def get_due_callback_for_user(user: User, pk: int) -> TalkRoomCallback:
    try:
        return callbacks_due(user=user).get(pk=pk)
    except TalkRoomCallback.DoesNotExist:
        raise Http404("没有找到该回访,或已经回访过。") from None


# Echo cards.


def card_units_for(user: User) -> QuerySet[Unit]:
    if not can.may_manage_cards(user):
        return Unit.objects.none()
    return unit_subtree(user.unit).order_by("code")


def card_batches_visible_to(user: User) -> QuerySet[CardBatch]:
    return CardBatch.objects.filter(unit__in=card_units_for(user)).select_related("unit", "issued_by")


def get_card_batch_for_user(user: User, pk: int) -> CardBatch:
    try:
        return card_batches_visible_to(user).get(pk=pk)
    except CardBatch.DoesNotExist:
        raise Http404("没有找到该批次,或您无权查看。") from None


# Talk rooms.


def police_rooms_for(user: User) -> QuerySet[Unit]:
    """The police rooms whose roster `user` works (`can.may_work_roster`); leaders, cadres, the county-wide
    departments and the three administrators have no part in it."""
    if not can.may_work_roster(user):
        return Unit.objects.none()
    return unit_subtree(user.unit).filter(kind=Unit.Kind.POLICE_ROOM).order_by("code")


def get_shift_for_user(user: User, pk: int) -> DutyShift:
    """A shift of a room whose roster the user works; whether they may change it is the service's to say."""
    try:
        return DutyShift.objects.select_related("officer", "police_room").get(
            pk=pk, police_room__in=police_rooms_for(user)
        )
    except DutyShift.DoesNotExist:
        raise Http404("没有找到该班次,或您无权查看。") from None


# Topic visits.


def topic_visits_visible_to(user: User) -> QuerySet[TopicVisit]:
    if can.sees_whole_county(user):
        return TopicVisit.objects.filter(leader__unit__in=county_units(user))
    return TopicVisit.objects.filter(Q(leader=user) | Q(staff=user)).distinct()


def get_topic_visit_for_user(user: User, pk: int) -> TopicVisit:
    try:
        return topic_visits_visible_to(user).select_related("leader").get(pk=pk)
    except TopicVisit.DoesNotExist:
        raise Http404("没有找到该专题家访,或您无权查看。") from None


def get_topic_item_for_leader(user: User, pk: int) -> TopicVisitMatter:
    """A matter taken on a topic visit, for the leader who leads it (who records the solution agreed)."""
    try:
        return TopicVisitMatter.objects.select_related("topic_visit").get(pk=pk, topic_visit__leader=user)
    except TopicVisitMatter.DoesNotExist:
        raise Http404("没有找到该事项。") from None
