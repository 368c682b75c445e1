"""The demo county's history: visits, matters through their flow, topics and daily notices."""

from datetime import timedelta

import pytest

from jingshi_jiafang.core.models import Household, User
from tests.conftest import log_in_as

pytestmark = pytest.mark.django_db


def test_history_has_visits_of_all_four_kinds_with_outcomes_at_the_reported_rates():
    from feedback.models import Matter
    from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit

    # The reported rates are those of the layered visits; pairing visits are a year of 260 people's monthly duty.
    visits = Visit.objects.exclude(kind="pairing").count()
    assert set(Visit.objects.values_list("kind", flat=True).distinct()) == {"day", "night", "topic", "pairing"}
    assert 2.0 < RegistrationCorrection.objects.count() / visits < 4.0  # 1.4 million for 476,300 visits
    assert 0.08 < Finding.objects.filter(kind="dispute").count() / visits < 0.2  # 64,000 disputes
    # Talk rooms and the phone add matters of their own, whatever the county's size: these are the visits'.
    assert 0.1 < Matter.objects.filter(visit__isnull=False).count() / visits < 0.3
    assert NightVisitPlan.objects.exists()
    assert Household.objects.filter(last_visited_at__isnull=True).exists()  # some households were never visited
    assert Visit.objects.filter(visitor__username="officer").count() > 50


def test_the_demo_echo_cards_went_to_households_and_their_echoes_are_theirs():
    """Cards are handed out on visits to households: one handed out on an organisation's visit read 发放给None in
    its history and brought an online echo with no household."""
    from feedback.models import EchoCard, Matter

    handed = EchoCard.objects.filter(state__in=[EchoCard.State.HANDED_OUT, EchoCard.State.ECHOED])
    assert handed.exists() and not handed.filter(household__isnull=True).exists()
    echoes = Matter.objects.filter(channel=Matter.Channel.ONLINE)
    assert echoes.exists() and not echoes.filter(household__isnull=True).exists()


def matters_with_events():
    from feedback.models import Matter

    return list(Matter.objects.prefetch_related("events").order_by("pk"))


def test_matters_are_spread_over_the_period_and_found_at_every_stage():
    from django.utils import timezone

    from feedback.models import Matter

    now = timezone.now()
    matters = list(Matter.objects.all())
    assert len(matters) > 150
    days = {timezone.localdate(m.created_at) for m in matters}
    assert len(days) > 80  # not all dated today
    assert min(m.created_at for m in matters) < now - timedelta(days=100)
    assert {m.state for m in matters} == set(Matter.State.values)
    older = [m for m in matters if m.created_at < now - timedelta(days=30)]
    assert sum(m.state in ("closed", "merged") for m in older) / len(older) > 0.85
    recent = [m for m in matters if m.created_at > now - timedelta(days=3)]
    assert {"reported", "analysed", "dispatched", "handling"} <= {m.state for m in recent}
    assert sum(m.is_open for m in recent) / len(recent) > 0.5
    assert any(m.is_overdue for m in matters)
    assert all(
        m.duplicate_of is not None and not m.duplicate_of.duplicate_of_id for m in matters if m.state == "merged"
    )


def test_every_matter_went_through_the_flow_in_order_with_deadlines_after_registration():
    from django.utils import timezone

    from feedback.models import Matter
    from feedback.workflows import ALLOWED_TRANSITIONS

    now = timezone.now()
    for matter in matters_with_events():
        events = list(matter.events.all())
        assert events[0].from_state == "" and events[0].to_state == "reported"
        assert abs(events[0].at - matter.created_at) < timedelta(seconds=1)  # one transaction with the services
        state = "reported"
        for earlier, event in zip(events, events[1:], strict=False):
            assert earlier.at <= event.at <= now, matter.reference
            assert event.from_state == state, matter.reference
            if event.to_state != state:
                assert event.to_state in ALLOWED_TRANSITIONS[state], matter.reference
                state = event.to_state
        assert state == matter.state, matter.reference
        if matter.deadline is not None:
            assert matter.deadline >= matter.created_at
        if matter.state in ("dispatched", "handling", "closed"):
            assert matter.deadline is not None and matter.assignee_id and matter.category
        if matter.escalated_at is not None:
            assert matter.escalated_at >= matter.deadline
        assert (matter.state == "closed") == (matter.closed_at is not None)
        if matter.closed_at:
            assert matter.created_at < matter.closed_at <= now and matter.result
    # Every flag has its 督办 event; a flagged matter that a callback reopened keeps the event, not the flag.
    flagged = set(Matter.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True))
    with_event = set(Matter.objects.filter(events__note__startswith="超期").values_list("pk", flat=True))
    reopened = set(Matter.objects.filter(events__note__startswith="回访不满意").values_list("pk", flat=True))
    assert flagged and flagged <= with_event and with_event - flagged <= reopened


def test_each_matter_says_something_of_its_own_category():
    from feedback.demo_texts import MATTER_TEXTS
    from feedback.models import Matter

    category_of = {text: category for category, texts in MATTER_TEXTS.items() for text in texts}
    for content, category in Matter.objects.values_list("content", "category"):
        assert content in category_of, content
        if category:
            assert category_of[content] == category, (content, category)
    assert set(Matter.objects.exclude(category="").values_list("category", flat=True)) == set(MATTER_TEXTS)


def test_topic_visits_take_matters_of_their_own_category():
    from feedback.models import TopicVisitMatter

    items = list(TopicVisitMatter.objects.select_related("topic_visit", "matter"))
    assert items
    assert all(item.matter.category == item.topic_visit.category for item in items)


def test_the_demo_leader_can_start_a_topic_visit_from_a_closed_month():
    from feedback.demo import LONG_RUNNING
    from feedback.selectors import topic_visit_months

    leader = User.objects.get(username="leader")
    # cases waiting on a court or an inquiry stay open for months, so a new user can try the journey
    rows = topic_visit_months(user=leader)
    assert rows
    assert sum(topic["open"] for row in rows for topic in row["topics"] if topic["category"] in LONG_RUNNING) > 0


def test_the_last_two_weeks_of_the_demo_have_daily_notices_built_as_the_job_builds_them(demo_county):
    from django.utils import timezone

    from evaluation.demo_reviews import DEMO_REVIEW_DAYS
    from evaluation.models import DailyReview

    assert "14 daily notices" in demo_county
    today = timezone.localdate()
    reviews = list(DailyReview.objects.order_by("day"))
    assert [review.day for review in reviews] == [today - timedelta(days=n) for n in range(DEMO_REVIEW_DAYS, 0, -1)]
    assert all(review.built_by is None and review.rebuilt_count == 0 for review in reviews)
    assert sum(review.figures["visits"]["total"] for review in reviews) > 0


def test_the_legal_department_has_closed_the_months_before_last_and_left_half_of_last_month(client, demo_county):
    from django.utils import timezone

    from feedback.models import Matter, TopicModel, TopicMonth
    from feedback.selectors import matters_of_month
    from feedback.services.classification import previous_month

    out = demo_county
    last = previous_month(timezone.localdate())
    closed = list(TopicMonth.objects.values_list("month", flat=True))
    assert (
        closed
        and all(month < last for month in closed)
        and f"months of topics closed by the legal department: {len(closed)}." in out
    )
    assert not Matter.objects.filter(category_suggested="").exists()
    for month in closed:
        assert not matters_of_month(month).filter(category_confirmed_at__isnull=True).exists()
    of_last = matters_of_month(last)
    assert of_last.filter(category_confirmed_at__isnull=True).count() == of_last.count() - of_last.count() // 2
    assert TopicModel.objects.order_by("-version").first().confirmed_examples > 0
    log_in_as(client, User.objects.get(username="legal"))
    page = client.get("/topics/").content.decode()
    assert 'data-testid="topic-item"' in page and "待确认" in page


def test_todays_talk_room_matters_have_their_first_receiver_and_recent_callbacks_wait_to_be_made():
    from django.utils import timezone

    from feedback.demo import CALLBACKS_WAITING_DAYS
    from feedback.models import Matter, TalkRoomCallback

    today = timezone.localdate()
    # Whoever registers a call or a letter answers for it (首问责任制), as the walk-in form makes them.
    registered_today = Matter.objects.filter(created_at__date=today, channel__in=["talk_room", "phone", "post_box"])
    assert registered_today.exists() and not registered_today.filter(owner__isnull=True).exists()
    # The duty officer trying the demo finds the callbacks of the last days still to make, the older ones made.
    recent = TalkRoomCallback.objects.filter(due_date__gte=today - timedelta(days=CALLBACKS_WAITING_DAYS))
    assert not recent.filter(due_date__lte=today, done_at__isnull=False).exists()
    older = TalkRoomCallback.objects.filter(due_date__lt=today - timedelta(days=CALLBACKS_WAITING_DAYS))
    assert older.exists() and not older.filter(done_at__isnull=True, matter__state="closed").exists()
