import uuid
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Matter, MatterEvent
from jingshi_jiafang.core.models import Household, User
from tests.core.factories import AreaLinkFactory, HouseholdFactory, HouseholdLinkFactory, UserFactory
from tests.visits.factories import VisitFactory
from visits import services
from visits.models import Finding, RegistrationCorrection, Visit

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def at(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def details(**overrides):
    values = {
        "kind": Visit.Kind.DAY,
        "visited_at": timezone.now() - timedelta(hours=1),
        "people_met": "户主本人",
        "facts_confirmed": True,
        "opinions": "",
        "result": "",
        "explained_policy": False,
        "collected_opinions": False,
    }
    values.update(overrides)
    return values


def log(visitor, household, **kwargs):
    kwargs.setdefault("details", details())
    kwargs.setdefault("facts", {})
    return services.visit_log(visitor=visitor, household=household, submission_key=uuid.uuid4(), **kwargs)


def visit_post(household, **overrides):
    data = {
        "submission_key": str(uuid.uuid4()),
        "kind": "day",
        "visited_at": timezone.localtime(timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "people_met": "户主本人",
        "facts_confirmed": "on",
        "head_name": household.head_name,
        "address": household.address,
        "members_count": household.members_count,
        "corrections-TOTAL_FORMS": "2",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


# The service.


def test_a_visit_with_corrections_findings_and_requests(alice, alice_household):
    visit, created = log(
        alice,
        alice_household,
        facts={"address": "东湖村3组8号", "members_count": 5},
        corrections=[services.CorrectionInput("birth_date", "1961-01-01")],
        findings=[
            services.FindingInput(Finding.Kind.DISPUTE, "宅基地边界争执", True),
            services.FindingInput(Finding.Kind.CASE_CLUE, "夜里有人偷电缆"),
        ],
        requests=["路灯坏了", "想办居住证"],
    )
    assert created
    alice_household.refresh_from_db()
    assert alice_household.address == "东湖村3组8号" and alice_household.members_count == 5
    assert alice_household.last_visited_at == visit.visited_at
    assert set(visit.corrections.values_list("field", flat=True)) == {"address", "members_count", "birth_date"}
    assert visit.findings.count() == 2
    matters = Matter.objects.filter(visit=visit)
    assert sorted(matters.values_list("content", flat=True)) == ["想办居住证", "路灯坏了"]
    assert all(m.state == Matter.State.REPORTED and m.unit == alice_household.village.unit for m in matters)
    assert MatterEvent.objects.filter(matter__visit=visit, to_state="reported").count() == 2


def test_a_member_removed_shrinks_the_family_size_unless_the_size_is_corrected_too(alice, alice_household):
    Household.objects.filter(pk=alice_household.pk).update(members_count=4)
    alice_household.refresh_from_db()
    removed = [services.CorrectionInput("member_removed", "李大宝,外出务工迁出")]
    log(alice, alice_household, facts={"members_count": 4}, corrections=removed)
    alice_household.refresh_from_db()
    assert alice_household.members_count == 3
    # The visitor also counted the family themselves: their number stands, not one less again.
    log(alice, alice_household, facts={"members_count": 1}, corrections=removed)
    alice_household.refresh_from_db()
    assert alice_household.members_count == 1
    with pytest.raises(services.VisitError, match="不能再减少人员"):
        log(alice, alice_household, facts={"members_count": 1}, corrections=removed)
    alice_household.refresh_from_db()
    assert alice_household.members_count == 1


def test_unchanged_facts_make_no_correction(alice, alice_household):
    visit, _ = log(alice, alice_household, facts={"address": alice_household.address, "phone": alice_household.phone})
    assert not visit.corrections.exists()


def test_the_same_submission_twice_makes_one_visit(alice, alice_household):
    key = uuid.uuid4()
    first, created = services.visit_log(
        visitor=alice, household=alice_household, submission_key=key, details=details(), facts={}, requests=["修路"]
    )
    second, created_again = services.visit_log(
        visitor=alice, household=alice_household, submission_key=key, details=details(), facts={}, requests=["修路"]
    )
    assert created and not created_again and first == second
    assert Visit.objects.count() == 1 and Matter.objects.count() == 1


def last_weekday(weekday: int, hour: int, minute: int = 0) -> datetime:
    """The most recent past evening of that weekday (Monday = 0), at least a day ago."""
    day = timezone.localdate() - timedelta(days=1)
    while day.weekday() != weekday:
        day -= timedelta(days=1)
    return at(day.year, day.month, day.day, hour, minute)


@pytest.fixture
def week_long_grace(settings):
    # These tests are about the night window, not the late-entry grace: let them log any evening of the last week.
    settings.VISIT_LATE_ENTRY_HOURS = 8 * 24


def test_night_visit_must_start_inside_the_window(alice, alice_household, week_long_grace):
    monday_evening = last_weekday(0, 20, 30)
    visit, _ = log(
        alice, alice_household, details=details(kind="night", visited_at=monday_evening, explained_policy=True)
    )
    assert visit.kind == Visit.Kind.NIGHT
    tuesday_evening = last_weekday(1, 20, 30)
    for wrong in (tuesday_evening, last_weekday(0, 19, 59), last_weekday(0, 21, 1)):
        with pytest.raises(services.VisitError, match="每周一、三、五晚 20:00–21:00"):
            log(alice, alice_household, details=details(kind="night", visited_at=wrong))


def test_night_window_is_configurable_per_county(alice, alice_household, settings, week_long_grace):
    settings.NIGHT_VISIT_WEEKDAYS = [1, 3]
    settings.NIGHT_VISIT_START, settings.NIGHT_VISIT_END = "19:30", "20:30"
    log(alice, alice_household, details=details(kind="night", visited_at=last_weekday(1, 19, 45)))
    with pytest.raises(services.VisitError, match="每周二、四晚 19:30–20:30"):
        log(alice, alice_household, details=details(kind="night", visited_at=last_weekday(0, 20, 15)))


def test_visit_outside_links_needs_a_reason_and_is_marked(alice, village_a):
    neighbour = HouseholdFactory(village=village_a)
    with pytest.raises(services.VisitError, match="请填写走访理由"):
        log(alice, neighbour)
    visit, _ = log(alice, neighbour, details=details(outside_links_reason="协助同事走访"))
    assert visit.is_outside_links


def test_cadre_and_leader_visit_inside_their_links(village_a):
    household = HouseholdFactory(village=village_a)
    cadre = AreaLinkFactory(area=village_a).user
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    assert log(cadre, household)[1]
    assert log(leader, household)[1]


def test_future_visits_are_refused(alice, alice_household):
    with pytest.raises(services.VisitError, match="不能晚于现在"):
        log(alice, alice_household, details=details(visited_at=timezone.now() + timedelta(hours=2)))


# The pages.


def test_officer_logs_a_visit_and_sees_it_in_the_diary_and_timeline(client, alice, alice_household):
    client.force_login(alice)
    data = visit_post(
        alice_household,
        address="东湖村新址9号",
        requests="村口路灯坏了\n\n想咨询户口迁移",
        dispute="邻里漏水纠纷",
        dispute_mediated="on",
        **{"fix-ethnicity": "回"},
    )
    response = client.post(reverse("visits:visit_create", args=[alice_household.pk]), data)
    visit = Visit.objects.get()
    assert response["Location"] == visit.get_absolute_url()
    assert RegistrationCorrection.objects.count() == 2
    assert Matter.objects.count() == 2
    diary = client.get(reverse("visits:diary")).content.decode()
    assert "邻里漏水纠纷" in diary and "村口路灯坏了" in diary
    timeline = client.get(alice_household.get_absolute_url()).content.decode()
    assert "户籍整改:民族 (空) → 回" in timeline


def test_rejected_visit_form_comes_back_filled_in(client, alice, alice_household):
    client.force_login(alice)
    data = visit_post(alice_household, kind="night", opinions="希望多巡逻", requests="修桥")
    this_morning = timezone.localtime().replace(hour=10, minute=0)
    morning = this_morning if this_morning < timezone.localtime() else this_morning - timedelta(days=1)
    data["visited_at"] = morning.strftime("%Y-%m-%dT%H:%M")  # never inside the 20:00–21:00 window
    response = client.post(reverse("visits:visit_create", args=[alice_household.pk]), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "夜访须在每周一、三、五晚 20:00–21:00开始" in body
    assert "希望多巡逻" in body and "修桥" in body
    assert not Visit.objects.exists()


def test_a_night_visit_outside_the_window_is_said_with_the_forms_other_errors(client, alice, alice_household):
    client.force_login(alice)
    data = visit_post(alice_household, kind="night", people_met="")
    this_morning = timezone.localtime().replace(hour=10, minute=0)
    morning = this_morning if this_morning < timezone.localtime() else this_morning - timedelta(days=1)
    data["visited_at"] = morning.strftime("%Y-%m-%dT%H:%M")

    response = client.post(reverse("visits:visit_create", args=[alice_household.pk]), data)

    errors = response.context["form"].errors
    assert response.status_code == 400
    assert "people_met" in errors and "夜访须在每周一、三、五晚 20:00–21:00开始" in errors["kind"][0]


def test_double_submit_of_the_form_creates_one_visit(client, alice, alice_household):
    client.force_login(alice)
    data = visit_post(alice_household)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    client.post(url, data)
    second = client.post(url, data, follow=True)
    assert Visit.objects.count() == 1
    assert "没有重复记录" in second.content.decode()


def test_my_households_are_ordered_by_who_is_due(client, alice, village_a):
    never, long_ago, recent = (HouseholdFactory(village=village_a) for _ in range(3))
    for household in (never, long_ago, recent):
        HouseholdLinkFactory(officer=alice, household=household)
    Household.objects.filter(pk=long_ago.pk).update(last_visited_at=timezone.now() - timedelta(days=200))
    Household.objects.filter(pk=recent.pk).update(last_visited_at=timezone.now() - timedelta(days=2))
    client.force_login(alice)
    order = list(client.get(reverse("households:household_list")).context["page"].object_list)
    assert order == [never, long_ago, recent]


def test_diary_shows_only_own_visits_and_filters_by_month(client, alice, bob, alice_household):
    VisitFactory(visitor=alice, household=alice_household, visited_at=at(2026, 10, 5, 10), people_met="十月见到")
    VisitFactory(visitor=alice, household=alice_household, visited_at=at(2026, 11, 5, 10), people_met="十一月见到")
    VisitFactory(visitor=bob, household=alice_household, people_met="所长见到")
    client.force_login(alice)
    body = client.get(reverse("visits:diary"), {"month": "2026-10"}).content.decode()
    assert "十月见到" in body and "十一月见到" not in body and "所长见到" not in body


def test_diary_heads_each_local_day_apart(client, alice, alice_household):
    # 23:30 and 00:30 Beijing time are the same day in UTC: the diary's days are Beijing days
    VisitFactory(visitor=alice, household=alice_household, visited_at=at(2026, 11, 4, 23, 30), people_met="深夜")
    VisitFactory(visitor=alice, household=alice_household, visited_at=at(2026, 11, 5, 0, 30), people_met="凌晨")
    client.force_login(alice)
    body = client.get(reverse("visits:diary"), {"month": "2026-11"}).content.decode()
    assert "2026年11月4日" in body and "2026年11月5日" in body


def test_diary_and_timeline_query_counts_do_not_grow(client, alice, alice_household, django_assert_max_num_queries):
    for n in range(15):
        log(alice, alice_household, requests=[f"诉求{n}"], findings=[services.FindingInput("stability", "情况")])
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        client.get(reverse("visits:diary"))
    # fixed: one query per kind of timeline event (import corrections among them) and per box on the page; the
    # officer links and attachments, a box and events both, are read once
    with django_assert_max_num_queries(21):
        client.get(alice_household.get_absolute_url())


def test_leader_and_cadre_see_the_visit_form_officer_of_other_station_does_not(client, charlie, alice_household):
    client.force_login(charlie)
    assert client.get(reverse("visits:visit_create", args=[alice_household.pk])).status_code == 404
