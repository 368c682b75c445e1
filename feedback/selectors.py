"""Reads of the feedback app that several views share: scoped matters, work queues, card stock, rosters."""

import re
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import check_password
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from feedback.models import (
    CardBatch,
    Category,
    DutyShift,
    EchoCard,
    Matter,
    TalkRoomCallback,
    TopicModel,
    TopicMonth,
    TopicVisit,
    TopicVisitMatter,
)
from feedback.models.matters import QUERY_PASSWORDS_PER_MATTER

# Who sees which matter, batch, slip or topic visit is answered in feedback/scopes.py; the views and the top layer
# keep importing these from here.
from feedback.scopes import (  # noqa: F401
    SLIP_CHANNELS,
    callbacks_due,
    card_batches_visible_to,
    card_units_for,
    get_card_batch_for_user,
    get_matter_for_user,
    get_slip_matter_for_user,
    get_topic_visit_for_user,
    matters_visible_to,
    police_rooms_for,
    topic_visits_visible_to,
    unclaimed_in_unit,
)
from feedback.workflows import MATTER_FLOW, dispatches, handles, owns
from jingshi_jiafang.core.dates import midnight, month_bounds
from jingshi_jiafang.core.models import Household, Unit, User
from jingshi_jiafang.core.scopes import households_visible_to, unit_subtree
from jingshi_jiafang.core.timeline import TimelineEvent

State = Matter.State
OPEN_STATES = list(MATTER_FLOW.open_states)
# 待研判/分流: the states the dispatcher's moves (研判, 合并, 分流) are offered in; not 改派, which the dispatcher
# may do to a matter already with its handler and which changes no state.
TO_PROCESS_STATES = sorted(
    {
        state
        for action in MATTER_FLOW.actions.values()
        if action.may is dispatches and action.target is not None
        for state in action.sources
    }
)


# The stages a matter passes, in order: one that has reached a stage is in it or a later one, a closed one having
# passed them all. A merged matter has no stage of its own: it is counted in the one it joined.
STAGES = (State.REPORTED, State.ANALYSED, State.DISPATCHED, State.HANDLING, State.CLOSED)


def states_reached(stage: str) -> tuple[str, ...]:
    """The states of a matter that has reached `stage` (one of STAGES)."""
    return STAGES[STAGES.index(stage) :]


def closed_between(start: date | None, end: date | None) -> Exists:
    """Matters closed (办结) in the days from `start` to `end`, either left open; one reopened since included."""
    return MATTER_FLOW.entered_between(State.CLOSED, start, end)


def overdue(now: datetime) -> Q:
    """Open and past its deadline (a deadline runs from 分流 until 办结; 退单 clears it). The queue, the filter,
    and the hourly escalation all ask this."""
    return Q(state__in=OPEN_STATES, deadline__lt=now)


def _listed(matters: QuerySet[Matter]) -> QuerySet[Matter]:
    """Work first: open matters before closed ones, the nearest deadline first (none set yet: after those that
    have one, on every database), then the newest."""
    return (
        matters.select_related("household__village", "unit", "assignee", "owner")
        .annotate(
            finished=Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1)),
            # Closed once and handled again (a resident's or a callback's 不满意): the list says so.
            reopened=Exists(MATTER_FLOW.moves_out_of(State.CLOSED).filter(matter=OuterRef("pk"))),
        )
        .order_by("finished", F("deadline").asc(nulls_last=True), "-created_at", "-pk")
    )


def my_matters(*, user: User) -> QuerySet[Matter]:
    """我的诉求: what this person handles, owns (首问) or reported (heard on their visit), and is not closed; and
    what was dispatched to their unit with no officer named, which any of its officers may take (开始处理 names
    the one who does): in nobody's list, it waited unseen."""
    # What they reported, while its household is still theirs to open: handed over, it is the new officer's to
    # follow, and a row here would open a 404.
    reachable = Q(household__isnull=True) | Q(household__in=households_visible_to(user, read_first=True).values("pk"))
    mine = Q(assignee=user) | Q(owner=user) | (Q(reported_by=user) & reachable)
    if (unclaimed := unclaimed_in_unit(user)) is not None:
        mine |= unclaimed
    return _listed(Matter.objects.filter(mine, state__in=OPEN_STATES))


def is_dispatcher(user: User) -> bool:
    """Whether the registry's dispatcher actions (研判, 合并, 分流) would be this person's for a matter of their
    own unit: the 待研判/分流 queue is for them only. Asked by a page's tabs and by its queue: answered once per
    user object (one request's)."""
    answer = getattr(user, "_is_dispatcher", None)
    if answer is None:
        answer = user._is_dispatcher = bool(user.unit_id) and dispatches(user, Matter(unit_id=user.unit_id))
    return answer


def matters_to_process(*, user: User) -> QuerySet[Matter]:
    """待研判/分流: the matters of the dispatcher's unit (and the units under it) waiting for 研判, 分流, 合并."""
    if not is_dispatcher(user):
        return Matter.objects.none()
    return _listed(Matter.objects.filter(unit__in=unit_subtree(user.unit), state__in=TO_PROCESS_STATES))


def overdue_matters(*, user: User) -> QuerySet[Matter]:
    return _listed(matters_visible_to(user).filter(overdue(timezone.now())))


def _dispatcher_words(matter: Matter) -> str:
    return f"{matter.unit}的负责人或值班民警"


def _handler_words(matter: Matter) -> str:
    return f"承办民警{matter.assignee}" if matter.assignee_id else f"{matter.assigned_unit}的民警"


# Who each rule of the registry stands for, in words for the matter page.
_WHO = {dispatches: _dispatcher_words, handles: _handler_words, owns: lambda matter: f"首问责任人{matter.owner}"}


def next_steps(*, matter: Matter, offered: set[str]) -> list[dict]:
    """下一步: the moves the registry offers in the matter's state, grouped by who may take them, and whether that
    is the reader (`offered`: the actions the registry offers them). Notes and hand-overs are asides, not the
    next step."""
    steps: dict[str, dict] = {}
    for action in MATTER_FLOW.actions.values():
        if action.target is None or matter.state not in action.sources:
            continue
        who = _WHO[action.may](matter) if action.may in _WHO else "有权限的人员"
        step = steps.setdefault(who, {"who": who, "actions": [], "you": False})
        step["actions"].append(action.label)
        step["you"] = step["you"] or action.name in offered
    return list(steps.values())


def merged_matters(*, matter: Matter) -> QuerySet[Matter]:
    """The matters merged into this one: its answer is theirs, so their residents are part of the work."""
    return matter.duplicates.filter(state=State.MERGED).select_related("household__village").order_by("created_at")


def all_matters(*, user: User) -> QuerySet[Matter]:
    """全部: everything in the user's sight, open first by deadline, to find one a resident asks about."""
    return _listed(matters_visible_to(user))


# How many recent open matters nearby are compared with the one being analysed: enough for a station's queue,
# bounded so the merge form costs one query.
MERGE_CANDIDATES = 100
MERGE_SUGGESTIONS = 5
SIMILAR_TEXT = 0.2
# The same household or resident makes a duplicate likelier, not certain: one household raises unrelated things
# (a police car at a restaurant, broken fitness equipment). Their texts must still share something, and such a
# tie only nudges the rank, below what similar text counts. A card stands for one matter, so a second matter on
# the same card is a duplicate whatever its words.
RELATED_TEXT = 0.1
SAME_TIE_WEIGHT = 0.1
_NOT_TEXT = re.compile(r"[\s\W_]+")


def _bigrams(text: str) -> set[str]:
    text = _NOT_TEXT.sub("", text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or set(text)


def text_similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: Chinese has no spaces, and two characters carry a word."""
    first, second = _bigrams(a), _bigrams(b)
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def merge_suggestions(*, matter: Matter, user: User) -> list[tuple[Matter, list[str]]]:
    """Open matters `matter` may duplicate, best first, with why each is suggested: similar text in the same
    village (for a walk-in with no household, the same police room), related text from the same household or
    resident, or the same echo card. Only matters the user may see."""
    near = Q(unit=matter.unit, household__isnull=True) if matter.household_id is None else Q(pk__in=[])
    if matter.household_id:
        near |= Q(household__village=matter.household.village_id)
    if matter.echo_card_id:
        near |= Q(echo_card=matter.echo_card_id)
    if matter.resident_phone:
        near |= Q(resident_phone=matter.resident_phone)
    candidates = (
        matters_visible_to(user)
        .filter(near, state__in=OPEN_STATES, duplicate_of__isnull=True)
        .exclude(pk=matter.pk)
        .select_related("household__village")
        .order_by("-created_at")[:MERGE_CANDIDATES]
    )
    ranked = []
    for candidate in candidates:
        same = []
        if matter.household_id and candidate.household_id == matter.household_id:
            same.append("同一户")
        if matter.echo_card_id and candidate.echo_card_id == matter.echo_card_id:
            same.append("同一张回音卡")
        if matter.resident_phone and candidate.resident_phone == matter.resident_phone:
            same.append("同一反映人")
        similarity = text_similarity(matter.content, candidate.content)
        same_card = "同一张回音卡" in same
        if not same_card and similarity < (RELATED_TEXT if same else SIMILAR_TEXT):
            continue
        similar = [f"内容相似 {similarity:.0%}"] if similarity >= RELATED_TEXT else []
        rank = similarity + SAME_TIE_WEIGHT * len(same) + (1 if same_card else 0)
        ranked.append((rank, candidate, same + similar))
    ranked.sort(key=lambda item: item[0], reverse=True)
    return [(candidate, reasons) for _, candidate, reasons in ranked[:MERGE_SUGGESTIONS]]


def matter_history(*, matter: Matter):
    return matter.events.select_related("actor").order_by("at", "pk")


def last_reopening(*, matter: Matter):
    """The move that took this open matter out of 办结 last (a resident's or a callback's 不满意), with its reason;
    None for one never closed, or closed now."""
    if not matter.is_open:
        return None
    return (
        MATTER_FLOW.moves_out_of(State.CLOSED)
        .filter(matter=matter)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


# What a resident may answer on the status page: a rating, not "unreachable".
RATINGS = [
    TalkRoomCallback.Outcome.SATISFIED,
    TalkRoomCallback.Outcome.FAIRLY_SATISFIED,
    TalkRoomCallback.Outcome.NOT_SATISFIED,
]


def answer_rating(*, matter: Matter, answer: Matter) -> TalkRoomCallback | None:
    """The resident's rating of this answer, if given (by phone on a callback or on the status page): a reopened
    and closed-again matter is a new answer, to be rated again."""
    if answer.closed_at is None:
        return None
    return matter.callbacks.filter(outcome__in=RATINGS, done_at__gte=answer.closed_at).order_by("-done_at").first()


# The stages a resident understands, for the states of the flow (研判/分流 are the bureau's inside words).
RESIDENT_STAGES = [("received", "已受理"), ("handling", "办理中"), ("answered", "已答复")]
_RESIDENT_STAGE_OF = {
    State.REPORTED: "received",
    State.ANALYSED: "received",
    State.DISPATCHED: "handling",
    State.HANDLING: "handling",
    State.CLOSED: "answered",
}


def resident_status(*, matter: Matter) -> dict:
    """What the status page tells a resident: received, handled by which unit, answered with what. A merged
    matter is answered by the one it was merged into, so its stage and reply are that one's. A matter reopened
    after the resident was not satisfied keeps the earlier answer and their rating in sight."""
    answer = matter.duplicate_of if matter.state == State.MERGED else matter
    stage = _RESIDENT_STAGE_OF[answer.state]
    reached = [key for key, _ in RESIDENT_STAGES].index(stage)
    rating = answer_rating(matter=matter, answer=answer) if stage == "answered" else None
    history = resident_history(matter=matter, answer=answer)
    reopened = stage != "answered" and any(kind == "reopened" for _, kind, _ in history)
    return {
        "reference": matter.reference,
        "received_at": matter.created_at,
        "merged": matter.state == State.MERGED,
        "stage": stage,
        # (label, reached, current) for the steps shown across the top
        "stages": [(label, n <= reached, key == stage) for n, (key, label) in enumerate(RESIDENT_STAGES)],
        "stage_label": dict(RESIDENT_STAGES)[stage],
        "handling_unit": (answer.assigned_unit or answer.unit) if stage != "received" else answer.unit,
        "reply": answer.result if stage == "answered" else "",
        "reply_method": answer.get_reply_method_display() if stage == "answered" else "",
        "answered_at": answer.closed_at if stage == "answered" else None,
        "rating": rating.get_outcome_display() if rating else "",
        "can_rate": stage == "answered" and rating is None,
        "reopened": reopened,
        # The answer the resident was not satisfied with: the result stays on the matter until the next one.
        "earlier_reply": answer.result if reopened else "",
        # (time, kind, words) in order, only once there is more to it than being received
        "history": history if len(history) > 1 else [],
    }


def resident_history(*, matter: Matter, answer: Matter) -> list[tuple[datetime, str, str]]:
    """The resident's view of the way so far: received, answered, their ratings, handled again. Fixed words
    only: notes are the bureau's inside words and may name its people."""
    entries = [(matter.created_at, "received", "已受理")]
    for event in answer.events.filter(Q(to_state=State.CLOSED) | Q(from_state=State.CLOSED)).exclude(
        from_state=F("to_state")
    ):
        if event.to_state == State.CLOSED:
            entries.append((event.at, "answered", "已答复"))
        else:
            entries.append((event.at, "reopened", "重新办理"))
    for callback in matter.callbacks.filter(outcome__in=RATINGS, done_at__isnull=False):
        entries.append((callback.done_at, "rated", f"您的评价:{callback.get_outcome_display()}"))
    # A rating and the reopening it causes happen in one moment: the rating reads first.
    order = {"received": 0, "answered": 1, "rated": 2, "reopened": 3}
    return sorted(entries, key=lambda entry: (entry[0], order[entry[1]]))


def lookup_for_resident(*, reference: str, password: str) -> Matter | None:
    """The matter whose reference this is, when the password is any of its query passwords (the first echo's, or
    a later echo's on the same card)."""
    matter = Matter.objects.filter(reference=reference.strip()).first()
    stored = []
    if matter is not None:
        further = matter.query_passwords.values_list("password_hash", flat=True)
        stored = [hashed for hashed in (matter.query_password_hash, *further) if hashed]
    # Always as many checks, padded with a dummy hash (check_password hashes anyway): a wrong reference takes as
    # long as a wrong password, and a matter echoed several times as long as one echoed once.
    dummies = ["!unusable"] * (QUERY_PASSWORDS_PER_MATTER - len(stored))
    for hashed in stored + dummies:
        if check_password(password.strip(), hashed):
            return matter
    return None


# Echo cards.


def get_card_by_number(*, units: QuerySet[Unit], number: str) -> EchoCard | None:
    return EchoCard.objects.filter(number=number.strip().upper(), unit__in=units).first()


def card_units_of(actor: User) -> list[int]:
    """The units whose stock an officer hands cards out of: their own and the one above it (a station issues
    cards for its police rooms)."""
    return [pk for pk in (actor.unit_id, getattr(actor.unit, "parent_id", None)) if pk]


def contact_card_officer(*, household: Household) -> User | None:
    """The officer a household's contact card names: the responsible one today. On a hand-over day both links are
    active; the one who takes over is named (core's `current_officer_name` rule)."""
    link = household.links.active().select_related("officer__unit").order_by("-start_date", "-pk").first()
    return link.officer if link else None


def cards_to_hand_out(*, actor: User) -> str:
    """What an officer may hand out on a visit, from the stock of their units (`card_units_of`): "stock" when a
    card is in stock; "spent" when cards were issued to those units and none is left (the desk is to issue more);
    "" when none ever was — a bureau cadre's department, say, to which no batch was issued. Only a card in stock
    can be handed out (CARD_FLOW), so 发放回音卡 is offered on "stock" alone."""
    units = card_units_of(actor)
    if EchoCard.objects.filter(unit__in=units, state=EchoCard.State.IN_STOCK).exists():
        return "stock"
    return "spent" if CardBatch.objects.filter(unit__in=units).exists() else ""


def card_stock_numbers(*, actor: User, limit: int) -> list[str]:
    """The first cards in stock an officer may hand out, lowest number first: the top of the pile."""
    cards = EchoCard.objects.filter(unit__in=card_units_of(actor), state=EchoCard.State.IN_STOCK)
    return list(cards.order_by("year", "unit_id", "sequence").values_list("number", flat=True)[:limit])


def card_stock(*, units: QuerySet[Unit]) -> list[dict]:
    """Reconciliation per unit: issued, in stock, in the field, echoed, voided."""
    rows = (
        EchoCard.objects.filter(unit__in=units)
        .values("unit__name", "unit__code")
        .annotate(
            issued=Count("pk"),
            in_stock=Count("pk", filter=Q(state=EchoCard.State.IN_STOCK)),
            handed_out=Count("pk", filter=Q(state=EchoCard.State.HANDED_OUT)),
            echoed=Count("pk", filter=Q(state=EchoCard.State.ECHOED)),
            voided=Count("pk", filter=Q(state=EchoCard.State.VOIDED)),
        )
        .order_by("unit__code")
    )
    return list(rows)


# Talk rooms.


def duty_roster(*, police_room: Unit, day: date) -> QuerySet[DutyShift]:
    """The week of shifts from `day`."""
    start = midnight(day)
    end = start + timedelta(days=7)
    return (
        DutyShift.objects.filter(police_room=police_room, starts_at__lt=end, ends_at__gt=start)
        .select_related("officer")
        .order_by("starts_at")
    )


def uncovered(shifts, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches from `start` to `end` that no shift covers; `shifts` are (starts_at, ends_at) pairs, in order
    of their start, each overlapping the stretch."""
    gaps, at = [], start
    for shift_start, shift_end in shifts:
        if shift_start > at:
            gaps.append((at, shift_start))
        at = max(at, shift_end)
        if at >= end:
            return gaps
    return [*gaps, (at, end)] if at < end else gaps


def roster_gaps(shifts: list[DutyShift], day: date) -> list[tuple[datetime, datetime]]:
    """The week's hours from now on that no shift of `shifts` (its week's, in order) covers: a 24-hour roster
    with a hole leaves residents at a locked door. The hours gone are the record, not a plan."""
    start, end = max(midnight(day), timezone.now().replace(second=0, microsecond=0)), midnight(day + timedelta(days=7))
    if start >= end:
        return []
    return uncovered(((shift.starts_at, shift.ends_at) for shift in shifts if shift.ends_at > start), start, end)


def on_duty_now(*, police_room: Unit) -> list[User]:
    now = timezone.now()
    shifts = DutyShift.objects.filter(police_room=police_room, starts_at__lte=now, ends_at__gt=now)
    return [shift.officer for shift in shifts.select_related("officer")]


# Topic visits.


def topic_visit_candidates(*, topic_visit: TopicVisit, text: str = "") -> QuerySet[Matter]:
    """Open matters the leader may take along: in their scope, of the topic's category or not yet classified."""
    matters = (
        _with_a_home(topic_visit.leader)
        .filter(state__in=OPEN_STATES)
        .exclude(topic_items__topic_visit=topic_visit)
        .filter(Q(category=topic_visit.category) | Q(category=""))
        .annotate(taken=Exists(_taken_along()))
        .select_related("household__village__parent")
    )
    if text:
        matters = matters.filter(Q(content__contains=text) | Q(household__head_name__contains=text))
    return matters.order_by("-created_at", "-pk")


# The latest months the legal department closed that a leader starting a topic visit is offered.
CLOSED_MONTHS_OFFERED = 3
# The topics a topic visit is held on (the form's choices): 其他 is the rest, not a topic to visit on.
TOPIC_VISIT_CATEGORIES = [choice for choice in Category.choices if choice[0] != Category.OTHER]


def _with_a_home(user: User) -> QuerySet[Matter]:
    """A topic visit goes into the homes matters came from: one with no household (taken in at a talk room) has
    no home to take it to, and is never offered."""
    return matters_visible_to(user).filter(household__isnull=False)


def _open_matters_of_month(*, user: User, month: date) -> QuerySet[Matter]:
    start, end = month_bounds(month)
    return _with_a_home(user).filter(created_at__gte=start, created_at__lt=end, state__in=OPEN_STATES)


def topic_visit_months(*, user: User) -> list[dict]:
    """Where a topic visit starts: the latest closed months, newest first, and per topic how many of the month's
    matters in the user's reach are still open (a closed month's topics are the legal department's word)."""
    months = TopicMonth.objects.order_by("-month").values_list("month", flat=True)[:CLOSED_MONTHS_OFFERED]
    rows = []
    for month in months:
        per_category = (
            _open_matters_of_month(user=user, month=month)
            .annotate(taken=Exists(_taken_along()))
            .order_by()
            .values("category")
            .annotate(open=Count("pk"), taken_count=Count("pk", filter=Q(taken=True)))
        )
        counts = {row["category"]: row for row in per_category}
        topics = []
        for value, label in TOPIC_VISIT_CATEGORIES:
            row = counts.get(value, {})
            topics.append(
                {"category": value, "label": label, "open": row.get("open", 0), "taken": row.get("taken_count", 0)}
            )
        rows.append({"month": month, "topics": topics})
    return rows


def _taken_along() -> QuerySet[TopicVisitMatter]:
    """The topic visits a matter was already taken along on: a second leader sees it before taking it again."""
    return TopicVisitMatter.objects.filter(matter=OuterRef("pk"))


def month_closed(month: date) -> bool:
    return TopicMonth.objects.filter(month=month.replace(day=1)).exists()


def closed_topic_open_matters(*, user: User, month: date, category: str) -> QuerySet[Matter]:
    """A closed month's open matters of one topic in the user's reach, village by village, oldest first."""
    return (
        _open_matters_of_month(user=user, month=month)
        .filter(category=category)
        .annotate(taken=Exists(_taken_along()))
        .select_related("household__village__parent")
        .order_by("household__village__parent__code", "household__village__code", "created_at", "pk")
    )


def by_village(matters) -> list[dict]:
    """Matters (each with a household) grouped by their household's village, in the order given."""
    groups: dict[int, dict] = {}
    for matter in matters:
        village = matter.household.village
        groups.setdefault(village.pk, {"village": village, "matters": []})["matters"].append(matter)
    return list(groups.values())


def timeline_events(*, household: Household) -> list[TimelineEvent]:
    """The household's matters (those heard on a visit are shown with that visit) and echo cards handed out."""
    events = [
        TimelineEvent(
            matter.created_at,
            "matter",
            f"诉求({matter.get_channel_display()})· {matter.get_state_display()}",
            (matter.content,),
        )
        for matter in household.matters.filter(visit__isnull=True)
    ]
    events += [
        TimelineEvent(card.handed_out_at, "card", f"发放回音卡 {card.number}")
        for card in household.echo_cards.filter(handed_out_at__isnull=False)
    ]
    return events


# The legal department's topic review.


def matters_of_month(month: date) -> QuerySet[Matter]:
    """The month's matters as the monthly report and the dashboard count them: a duplicate merged into another
    is answered and counted with that one, so it has no topic of its own to confirm."""
    start, end = month_bounds(month)
    return Matter.objects.filter(created_at__gte=start, created_at__lt=end).exclude(state=Matter.State.MERGED)


def topic_review_queue(*, month: date, confirmed: bool) -> QuerySet[Matter]:
    """A month's matters waiting for the legal department, least sure suggestion first; or those it confirmed,
    latest first."""
    listed = matters_of_month(month).filter(category_confirmed_at__isnull=not confirmed)
    listed = listed.select_related("household__village", "category_confirmed_by")
    if confirmed:
        return listed.order_by("-category_confirmed_at", "-pk")
    return listed.order_by(F("category_confidence").asc(nulls_first=True), "created_at", "pk")


def topic_month_summary(*, month: date) -> dict:
    """How many matters the month has, how many are confirmed, and whether it is closed."""
    counts = matters_of_month(month).aggregate(
        total=Count("pk"), confirmed=Count("pk", filter=Q(category_confirmed_at__isnull=False))
    )
    return {
        **counts,
        "pending": counts["total"] - counts["confirmed"],
        "closed": TopicMonth.objects.filter(month=month.replace(day=1)).select_related("closed_by").first(),
    }


def topic_model_in_use_row() -> TopicModel | None:
    """The version in use, or None before the first suggestion ever trained one."""
    return TopicModel.objects.order_by("-version").first()


def callbacks_to_make(*, user: User) -> QuerySet[TalkRoomCallback]:
    """The due callbacks, each with the calls about the same answer that found nobody (`tried`)."""
    tried = (
        TalkRoomCallback.objects.filter(
            matter=OuterRef("matter"),
            outcome=TalkRoomCallback.Outcome.UNREACHABLE,
            done_at__gte=OuterRef("matter__closed_at"),
        )
        .order_by()
        .values("matter")
        .annotate(n=Count("*"))
        .values("n")
    )
    return callbacks_due(user=user).annotate(tried=Subquery(tried))


def callbacks_of(*, matter: Matter) -> QuerySet[TalkRoomCallback]:
    """The matter's talk-room callbacks, made and waiting, in the order they were due: what the resident said
    (联系不上 and 满意 leave no step in its history) is on its page for whoever handles it."""
    return matter.callbacks.select_related("done_by").order_by("due_date", "pk")
