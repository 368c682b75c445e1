"""每日研判: the figures of one hand-built day, counted exactly; the morning job and the command run twice change
nothing; a rebuild is an evaluator's audited act."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from evaluation.models import DailyReview
from evaluation.selectors.reviews import rank_units
from evaluation.services.reviews import ReviewError, daily_review_build
from evaluation.tasks import daily_review_task
from feedback.models import Matter
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.audit_display import audit_rows
from jingshi_jiafang.core.models import AuditEntry, User
from ledger.models import Ledger, LedgerItem
from tests.core.factories import HouseholdFactory, UserFactory
from tests.evaluation.factories import VisitCallbackFactory, called_back
from tests.visits.factories import NightVisitPlanFactory, VisitFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - timedelta(days=3)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def visit(visitor, village, when, kind=Visit.Kind.DAY):
    # Entered when it took place: a night visit keeps its plan only when entered within the grace.
    return VisitFactory(
        visitor=visitor, household=HouseholdFactory(village=village), kind=kind, visited_at=when, created_at=when
    )


_references = iter(range(1, 10_000))


def matter(unit, created, category="", **fields):
    row = Matter.objects.create(
        reference=f"T{next(_references):06d}",
        channel=Matter.Channel.PHONE,
        unit=unit,
        content="诉求",
        category=category,
        **fields,
    )
    Matter.objects.filter(pk=row.pk).update(created_at=created)
    return row


def ledger_item(unit, household, deadline, **fields):
    ledger, _ = Ledger.objects.get_or_create(kind=Ledger.Kind.HOUSEHOLD, household=household)
    item = LedgerItem.objects.create(
        ledger=ledger, household=household, what="修路灯", unit=unit, deadline=deadline, source="household", **fields
    )
    LedgerItem.objects.filter(pk=item.pk).update(created_at=at(deadline - timedelta(days=10), 9))
    return item


@pytest.fixture
def evaluator():
    return UserFactory(username="pingjia", name="评价员", role=User.Role.EVALUATOR)


@pytest.fixture
def day_of_work(alice, bob, charlie, village_a, village_b, station_a, evaluator):
    """One day of the county, with things just outside the day that must not count."""
    room_a, room_b = village_a.unit, village_b.unit
    room_a.name, room_b.name = "东湖警务室", "西湖警务室"
    room_a.save()
    room_b.save()
    # Visits of the day: alice 3 day visits (one just after midnight) and the night visit of her plan; charlie one.
    for when in (at(DAY, 0, 10), at(DAY, 9), at(DAY, 15)):
        visit(alice, village_a, when)
    visit(alice, village_a, at(DAY, 20, 30), kind=Visit.Kind.NIGHT)
    visit(charlie, village_b, at(DAY, 10))
    visit(alice, village_a, at(DAY - timedelta(days=1), 23, 59))  # the day before: not counted
    visit(charlie, village_b, at(DAY + timedelta(days=1), 0, 0))  # the day after: not counted
    NightVisitPlanFactory(officer=alice, village=village_a, date=DAY, planned_by=bob)
    NightVisitPlanFactory(officer=charlie, village=village_b, date=DAY, planned_by=bob)  # not kept: missed
    # Calls made that day about the visits of the day before.
    yesterday = DAY - timedelta(days=1)
    for satisfaction in ("satisfied", "fairly_satisfied", "satisfied"):
        callback = VisitCallbackFactory(visit=visit(alice, village_a, at(yesterday, 10)))
        called_back(callback, day=DAY, caller=evaluator, visit_check="confirmed", satisfaction=satisfaction)
    denied = VisitCallbackFactory(visit=visit(charlie, village_b, at(yesterday, 11)))
    called_back(denied, day=DAY, caller=evaluator, visit_check="denied")
    not_reached = VisitCallbackFactory(visit=visit(charlie, village_b, at(yesterday, 12)))
    called_back(not_reached, day=DAY, caller=evaluator, reached=False)
    given_up = VisitCallbackFactory(visit=visit(charlie, village_b, at(yesterday - timedelta(days=2), 12)))
    called_back(given_up, day=DAY, caller=evaluator, reached=False, gave_up=True)
    earlier = VisitCallbackFactory(visit=visit(alice, village_a, at(yesterday - timedelta(days=1), 10)))
    called_back(earlier, day=yesterday, caller=evaluator, visit_check="denied")  # another day's call
    # Matters received that day, and the 28 days before for the rising topics.
    for _ in range(3):
        matter(room_a, at(DAY, 11), "public_security")
        matter(room_a, at(DAY, 11), "other")
    matter(room_a, at(DAY - timedelta(days=10), 11), "public_security")
    for n in range(43):
        matter(room_a, at(DAY - timedelta(days=1 + n % 28), 11), "other")
    matter(room_a, at(DAY - timedelta(days=29), 11), "public_security")  # outside the 28 days
    matter(room_b, at(DAY, 12), "law_enforcement")
    matter(room_b, at(DAY, 13), "law_enforcement")
    matter(room_b, at(DAY, 14))
    matter(room_b, at(DAY + timedelta(days=1), 0, 0))  # the day after
    # Overdue at midnight: open past its deadline, and one closed only the next morning.
    before = at(DAY - timedelta(days=5), 9)
    matter(room_b, before, state=Matter.State.HANDLING, deadline=at(DAY, 12))
    matter(
        room_b,
        before,
        state=Matter.State.CLOSED,
        deadline=at(DAY, 12),
        closed_at=at(DAY + timedelta(days=1), 9),
        result="已办",
    )
    matter(room_b, before, state=Matter.State.CLOSED, deadline=at(DAY, 12), closed_at=at(DAY, 18), result="已办")
    matter(room_b, before, state=Matter.State.HANDLING, deadline=at(DAY + timedelta(days=1), 10))
    merged_into = matter(room_b, before, state=Matter.State.HANDLING, deadline=at(DAY + timedelta(days=9), 10))
    matter(room_b, before, state=Matter.State.MERGED, deadline=at(DAY, 1), duplicate_of=merged_into)
    household = HouseholdFactory(village=village_a)
    ledger_item(station_a, household, DAY - timedelta(days=1))  # overdue
    ledger_item(station_a, household, DAY)  # due that day: not yet overdue
    ledger_item(
        station_a,
        household,
        DAY - timedelta(days=2),
        state=LedgerItem.State.CLOSED,
        delivered_by=alice,
        closed_by=bob,
        closed_at=at(DAY, 10),
    )
    return {"room_a": room_a, "room_b": room_b}


def test_the_days_figures_are_counted_exactly(day_of_work, station_a, village_a):
    review = daily_review_build(day=DAY, actor=system_actor())
    figures = review.figures
    room_a, room_b = day_of_work["room_a"], day_of_work["room_b"]

    assert review.built_by is None and review.rebuilt_count == 0
    assert figures["visits"] == {
        "total": 5,
        "by_kind": {"day": 4, "night": 1, "topic": 0, "pairing": 0, "organisation": 0},
    }
    night = figures["night_plans"]
    assert (night["planned"], night["kept"], night["missed"]) == (2, 1, 1)
    assert night["missed_list"] == [{"officer": "查理", "unit": "西湖警务室", "village": "西关镇西湖村"}]
    callbacks = figures["callbacks"]
    assert {key: callbacks[key] for key in ("made", "reached", "not_reached", "given_up", "confirmed", "denied")} == {
        "made": 6,
        "reached": 4,
        "not_reached": 2,
        "given_up": 1,
        "confirmed": 3,
        "denied": 1,
    }
    assert (callbacks["satisfied"], callbacks["fairly_satisfied"], callbacks["not_satisfied"]) == (2, 1, 0)
    assert callbacks["false_visits"] == [
        {
            "officer": "查理",
            "unit": "西湖警务室",
            "village": "西湖村",
            "visit_date": (DAY - timedelta(days=1)).isoformat(),
        }
    ]
    assert figures["matters"] == {
        "total": 9,
        "by_topic": [
            {"category": "other", "label": "其他", "count": 3},
            {"category": "public_security", "label": "治安防范", "count": 3},
            {"category": "law_enforcement", "label": "执法服务", "count": 2},
            {"category": "", "label": "未分类", "count": 1},
        ],
    }
    assert figures["overdue"] == {"matters": 2, "ledger_items": 1}
    # 治安防范: 3 against a daily average of 1/28. 其他: 3 against 43/28 (×2 = 3.07): not rising. 执法服务: 2 < 3.
    assert figures["rising_topics"] == [
        {"category": "public_security", "label": "治安防范", "count": 3, "average": round(1 / 28, 2)}
    ]
    units = {unit["name"]: unit for unit in figures["units"]}
    assert units["东湖警务室"]["visits_by_kind"] == {"day": 3, "night": 1}
    assert (units["东湖警务室"]["night_kept"], units["西湖警务室"]["night_missed"]) == (1, 1)
    assert units["西湖警务室"]["overdue_matters"] == 2
    assert units[station_a.name]["overdue_items"] == 1
    assert [unit["name"] for unit in figures["praised"]] == ["东湖警务室"]
    assert figures["praised"][0]["reasons"] == ["回访联系上 3 户", "3 次走访经回访属实", "满意率 67%", "夜访 1/1 完成"]
    assert [(unit["name"], unit["reasons"]) for unit in figures["criticised"]] == [
        ("西湖警务室", ["虚假走访 1 起", "夜访缺勤 1 人次", "超期诉求 2 件"]),
        (station_a.name, ["超期台账事项 1 项"]),
    ]
    assert {room_a.pk, room_b.pk} <= {unit["id"] for unit in figures["units"]}


def test_an_empty_day_builds_a_notice_with_nothing_in_it():
    review = daily_review_build(day=DAY, actor=system_actor())
    assert review.figures["visits"]["total"] == 0
    assert review.figures["callbacks"]["made"] == 0
    assert review.figures["units"] == [] and review.figures["praised"] == [] and review.figures["criticised"] == []


def test_a_unit_named_for_criticism_is_not_praised():
    unit = {
        "id": 1,
        "name": "甲",
        "visits": 3,
        "night_planned": 0,
        "night_kept": 0,
        "night_missed": 0,
        "callbacks_reached": 5,
        "confirmed": 5,
        "denied": 0,
        "satisfied": 5,
        "fairly_satisfied": 0,
        "not_satisfied": 0,
        "overdue_matters": 0,
        "overdue_items": 1,
    }
    few = {**unit, "id": 2, "name": "乙", "overdue_items": 0, "callbacks_reached": 2}
    good = {**unit, "id": 3, "name": "丙", "overdue_items": 0}
    praised, criticised = rank_units([unit, few, good])
    assert [row["name"] for row in praised] == ["丙"]
    assert [row["name"] for row in criticised] == ["甲"]


def test_the_morning_job_run_twice_changes_nothing(day_of_work, alice, village_a):
    first = DailyReview.objects.get(pk=daily_review_task(DAY.isoformat()))
    visit(alice, village_a, at(DAY, 16))  # entered late: only a rebuild would count it
    second = DailyReview.objects.get(pk=daily_review_task(DAY.isoformat()))
    assert DailyReview.objects.count() == 1
    assert (second.pk, second.built_at, second.figures) == (first.pk, first.built_at, first.figures)
    assert second.figures["visits"]["total"] == 5


def test_the_job_builds_yesterday_by_default():
    review = DailyReview.objects.get(pk=daily_review_task())
    assert review.day == timezone.localdate() - timedelta(days=1)


def test_the_command_run_twice_changes_nothing(day_of_work, alice, village_a, capsys):
    call_command("run_daily_review", "--date", DAY.isoformat())
    first = DailyReview.objects.get(day=DAY)
    visit(alice, village_a, at(DAY, 16))
    call_command("run_daily_review", "--date", DAY.isoformat())
    second = DailyReview.objects.get(day=DAY)
    assert (second.built_at, second.figures, second.rebuilt_count) == (first.built_at, first.figures, 0)
    assert "rebuilt 0 times" in capsys.readouterr().out


def test_the_command_refuses_a_bad_date_and_a_day_not_over():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_daily_review", "--date", "2026-02-30")
    with pytest.raises(CommandError, match="已经过去"):
        call_command("run_daily_review", "--date", timezone.localdate().isoformat())
    assert not DailyReview.objects.exists()


def test_an_evaluator_rebuilds_with_the_records_as_they_are_now_and_it_is_audited(
    day_of_work, alice, village_a, evaluator
):
    built = daily_review_build(day=DAY, actor=system_actor())
    visit(alice, village_a, at(DAY, 16))
    rebuilt = daily_review_build(day=DAY, rebuild=True, actor=evaluator)
    assert rebuilt.pk == built.pk and rebuilt.rebuilt_count == 1 and rebuilt.built_by == evaluator
    assert rebuilt.figures["visits"]["total"] == 6
    entry = AuditEntry.objects.get(object_type="evaluation.DailyReview", object_id=str(built.pk))
    assert entry.actor == evaluator
    assert entry.detail == {"what": "daily_review_rebuilt", "day": DAY.isoformat(), "rebuilt_count": 1}
    row = audit_rows([entry])[0]
    assert row.target == f"每日通报 {DAY:%Y-%m-%d}"
    assert row.detail == f"内容:重新生成每日通报;通报日期:{DAY:%Y-%m-%d};重新生成次数:1"


def test_the_command_rebuilds_only_for_an_evaluator_named_by_username(day_of_work, evaluator, alice):
    call_command("run_daily_review", "--date", DAY.isoformat())
    with pytest.raises(CommandError, match="--by"):
        call_command("run_daily_review", "--date", DAY.isoformat(), "--rebuild")
    with pytest.raises(CommandError, match="民意访评中心"):
        call_command("run_daily_review", "--date", DAY.isoformat(), "--rebuild", "--by", alice.username)
    call_command("run_daily_review", "--date", DAY.isoformat(), "--rebuild", "--by", evaluator.username)
    assert DailyReview.objects.get(day=DAY).rebuilt_count == 1
    assert AuditEntry.objects.filter(object_type="evaluation.DailyReview", actor=evaluator).count() == 1


def test_only_the_evaluation_centre_builds_and_no_job_rebuilds(alice, evaluator):
    with pytest.raises(ReviewError, match="民意访评中心"):
        daily_review_build(day=DAY, actor=alice)
    daily_review_build(day=DAY, actor=evaluator)
    with pytest.raises(ReviewError, match="民意访评中心人员"):
        daily_review_build(day=DAY, rebuild=True, actor=system_actor())
    with pytest.raises(ReviewError, match="民意访评中心"):
        daily_review_build(day=DAY, rebuild=True, actor=alice)
    assert DailyReview.objects.get(day=DAY).rebuilt_count == 0


def test_a_day_not_yet_over_and_a_missing_day_cannot_be_rebuilt(evaluator):
    with pytest.raises(ReviewError, match="已经过去"):
        daily_review_build(day=timezone.localdate(), actor=evaluator)
    with pytest.raises(ReviewError, match="还没有通报"):
        daily_review_build(day=DAY, rebuild=True, actor=evaluator)


def test_the_figures_take_a_fixed_number_of_queries(day_of_work, django_assert_max_num_queries):
    job = system_actor()
    # Ten grouped counts, and finding or inserting the record.
    with django_assert_max_num_queries(14):
        daily_review_build(day=DAY, actor=job)
    with django_assert_max_num_queries(1):
        daily_review_build(day=DAY, actor=job)
