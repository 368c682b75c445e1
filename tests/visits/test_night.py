from datetime import date, datetime, time, timedelta
from unittest.mock import patch

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from jingshi_jiafang.core.models import User
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import UserFactory
from tests.visits.factories import NightVisitPlanFactory, VisitFactory, next_night_date
from visits import services
from visits.models import NightVisitPlan, Visit
from visits.night import week_start

pytestmark = pytest.mark.django_db


def evening(day, hour=20, minute=30):
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def test_station_head_plans_a_night_visit(client, bob, alice, village_a):
    client.force_login(bob)
    night = next_night_date()
    response = client.post(
        reverse("visits:night_plan_add"), {"date": night.isoformat(), "officer": alice.pk, "village": village_a.pk}
    )
    plan = NightVisitPlan.objects.get()
    assert (plan.officer, plan.village, plan.date, plan.planned_by) == (alice, village_a, night, bob)
    assert response["Location"].endswith(f"?week={week_start(night).isoformat()}")
    page = client.get(response["Location"]).content.decode()
    assert alice.name in page and village_a.name in page


def test_a_day_that_is_not_a_night_visit_day_is_refused(bob, alice, village_a):
    tuesday = next_night_date()
    while tuesday.weekday() != 1:
        tuesday += timedelta(days=1)
    with pytest.raises(services.VisitError, match="不是夜访日"):
        services.night_plan_add(planner=bob, officer=alice, village=village_a, date=tuesday)


def test_officer_of_another_station_or_a_village_outside_cannot_be_planned(bob, alice, charlie, village_a, village_b):
    night = next_night_date()
    with pytest.raises(services.VisitError, match="不是本单位的民警"):
        services.night_plan_add(planner=bob, officer=charlie, village=village_a, date=night)
    with pytest.raises(services.VisitError, match="不在本单位辖区"):
        services.night_plan_add(planner=bob, officer=alice, village=village_b, date=night)


def test_one_plan_per_officer_and_night(bob, alice, village_a):
    night = next_night_date()
    services.night_plan_add(planner=bob, officer=alice, village=village_a, date=night)
    with pytest.raises(services.VisitError, match="已有夜访安排"):
        services.night_plan_add(planner=bob, officer=alice, village=village_a, date=night)


def test_an_officer_on_talk_room_duty_through_the_night_hour_is_not_planned(client, bob, alice, village_a):
    from feedback.models import DutyShift

    night = next_night_date()
    DutyShift.objects.create(
        police_room=alice.unit, officer=alice, starts_at=evening(night, 18), ends_at=evening(night, 23, 59)
    )
    client.force_login(bob)
    response = client.post(
        reverse("visits:night_plan_add"), {"date": night.isoformat(), "officer": alice.pk, "village": village_a.pk}
    )
    assert response.status_code == 400 and "的夜访时段(20:00–21:00)在说事厅值班" in response.content.decode()
    assert not NightVisitPlan.objects.exists()
    # A shift that ends before the hour leaves the evening free.
    DutyShift.objects.update(starts_at=evening(night, 8), ends_at=evening(night, 19, 59))
    services.night_plan_add(planner=bob, officer=alice, village=village_a, date=night)


def test_an_officer_whose_shift_has_begun_is_not_sent_to_delete_it(bob, alice, village_a):
    """A shift that began this afternoon runs through tonight's hour: the roster keeps a begun shift, so the
    refusal names another officer as the way out, not 删除."""
    from feedback.models import DutyShift

    night = next_night_date()
    DutyShift.objects.create(
        police_room=alice.unit, officer=alice, starts_at=evening(night, 16), ends_at=evening(night, 23, 59)
    )
    with (
        patch("django.utils.timezone.now", return_value=evening(night, 17)),
        pytest.raises(services.VisitError) as refused,
    ):
        services.night_plan_add(planner=bob, officer=alice, village=village_a, date=night)
    assert "该班次已经开始,不能删除,请另选民警" in str(refused.value)
    assert "值班表中删除" not in str(refused.value)


def test_only_unit_heads_plan(client, alice):
    client.force_login(alice)
    assert client.get(reverse("visits:night_plan")).status_code == 403


def test_past_plans_cannot_be_removed(client, bob, alice, village_a):
    past = NightVisitPlanFactory(officer=alice, village=village_a, planned_by=bob)
    NightVisitPlan.objects.filter(pk=past.pk).update(date=timezone.localdate() - timedelta(days=7))
    client.force_login(bob)
    response = client.post(reverse("visits:night_plan_remove", args=[past.pk]), follow=True)
    assert "考核依据" in response.content.decode()
    assert NightVisitPlan.objects.filter(pk=past.pk).exists()


def test_officer_home_shows_tonights_plan(client, bob, alice, village_a):
    NightVisitPlan.objects.create(
        officer=alice, village=village_a, date=timezone.localdate(), unit=bob.unit, planned_by=bob
    )
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    assert "今晚夜访" in body and village_a.name in body


def test_compliance_counts_kept_missed_and_upcoming(client, bob, alice, village_a, alice_household):
    today = timezone.localdate()
    past_nights = [d for d in (today - timedelta(days=n) for n in range(1, 8)) if d.weekday() in (0, 2, 4)][:2]
    for night in past_nights:
        NightVisitPlan.objects.create(officer=alice, village=village_a, date=night, unit=bob.unit, planned_by=bob)
    kept_night = past_nights[0]
    # Typed in that evening: a visit entered days later keeps no plan, and the test must not hang on today's weekday.
    visited_at = evening(kept_night)
    VisitFactory(
        visitor=alice, household=alice_household, kind=Visit.Kind.NIGHT, visited_at=visited_at, created_at=visited_at
    )
    client.force_login(bob)
    week = min(past_nights)
    response = client.get(reverse("visits:night_compliance"), {"week": week.isoformat()})
    plans_in_week = [p for p in past_nights if week_start(p) == week_start(week)]
    totals = response.context["totals"]
    assert totals.planned == len(plans_in_week)
    assert totals.kept == (1 if week_start(kept_night) == week_start(week) else 0)
    assert totals.missed == totals.planned - totals.kept


def test_a_day_visit_does_not_keep_a_night_plan(client, bob, alice, village_a, alice_household):
    last_monday = week_start(timezone.localdate()) - timedelta(days=7)
    NightVisitPlan.objects.create(officer=alice, village=village_a, date=last_monday, unit=bob.unit, planned_by=bob)
    VisitFactory(visitor=alice, household=alice_household, kind=Visit.Kind.DAY, visited_at=evening(last_monday, 10))
    client.force_login(bob)
    totals = client.get(reverse("visits:night_compliance"), {"week": last_monday.isoformat()}).context["totals"]
    assert (totals.planned, totals.kept, totals.missed) == (1, 0, 1)


def test_leader_sees_compliance_officer_does_not(client, alice, station_a):
    leader = log_in_as(client, UserFactory(role=User.Role.LEADER))
    response = client.get(reverse("visits:night_compliance"), {"unit": station_a.pk})
    assert response.status_code == 200 and response.context["unit"] == station_a
    assert leader
    client.force_login(alice)
    assert client.get(reverse("visits:night_compliance")).status_code == 403


def test_compliance_query_count_is_bounded(client, bob, alice, village_a, django_assert_max_num_queries):
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    for officer in [alice] + [UserFactory(unit=alice.unit) for _ in range(10)]:
        NightVisitPlan.objects.create(officer=officer, village=village_a, date=monday, unit=bob.unit, planned_by=bob)
    client.force_login(bob)
    with django_assert_max_num_queries(10):
        client.get(reverse("visits:night_compliance"), {"week": monday.isoformat()})


def test_a_plan_colliding_on_the_unique_constraint_is_a_form_error_not_a_server_error(
    client, bob, alice, village_a, monkeypatch
):
    """Another head's plan for the same officer and night lands just before this one's insert."""
    night = next_night_date()
    create = NightVisitPlan.objects.create

    def create_after_the_other_head(**fields):
        monkeypatch.undo()
        NightVisitPlanFactory(officer=alice, village=village_a, date=night, planned_by=bob)
        return create(**fields)

    monkeypatch.setattr(NightVisitPlan.objects, "create", create_after_the_other_head)
    client.force_login(bob)
    response = client.post(
        reverse("visits:night_plan_add"), {"date": night.isoformat(), "officer": alice.pk, "village": village_a.pk}
    )
    assert response.status_code == 400
    assert "已有夜访安排" in response.content.decode()
    # the weeks still lead to the plan page, not to the address the form was sent to
    week = response.context["previous_week"]
    assert f'href="{reverse("visits:night_plan")}?week={week:%Y-%m-%d}"' in response.content.decode()


def test_a_refused_plan_keeps_the_choices_on_the_page(client, bob, alice, village_a):
    night = next_night_date()
    NightVisitPlanFactory(officer=alice, village=village_a, date=night, planned_by=bob)
    client.force_login(bob)
    response = client.post(
        reverse("visits:night_plan_add"), {"date": night.isoformat(), "officer": alice.pk, "village": village_a.pk}
    )
    assert response.status_code == 400
    assert response.context["form"]["officer"].value() == str(alice.pk)
    assert "已有夜访安排" in response.content.decode()


def test_removing_a_night_plan_is_audited(client, bob, alice, village_a):
    from jingshi_jiafang.core.audit_display import audit_rows
    from jingshi_jiafang.core.models import AuditEntry

    plan = NightVisitPlanFactory(officer=alice, village=village_a, planned_by=bob)
    client.force_login(bob)
    response = client.post(reverse("visits:night_plan_remove", args=[plan.pk]))
    assert response.status_code == 302 and not NightVisitPlan.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED)
    assert (entry.actor, entry.object_type, entry.object_id) == (bob, "visits.NightVisitPlan", str(plan.pk))
    (row,) = audit_rows([entry])
    assert alice.name in row.detail and village_a.name in row.detail and f"{plan.date:%Y-%m-%d}" in row.detail


# Issue #8, finding 8: on a weekend the current week's evenings are past; the plan page opens on the coming ones.


@pytest.mark.parametrize(
    ("today", "opens_on"),
    [
        ("2026-11-29", "2026-11-30"),  # a Sunday: the next evening is Monday, next week
        ("2026-11-28", "2026-11-30"),  # a Saturday
        ("2026-11-27", "2026-11-23"),  # a Friday: tonight is a night-visit evening of this week
        ("2026-11-24", "2026-11-23"),  # a Tuesday: Wednesday is still to come
    ],
)
def test_the_plan_page_opens_on_the_week_of_the_next_night_visit_evening(
    client, bob, settings, monkeypatch, today, opens_on
):
    from datetime import date

    settings.NIGHT_VISIT_WEEKDAYS = [0, 2, 4]
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date.fromisoformat(today))
    client.force_login(bob)
    response = client.get(reverse("visits:night_plan"))
    assert response.context["week"] == date.fromisoformat(opens_on)
    # An asked week is still shown as asked.
    asked = client.get(reverse("visits:night_plan"), {"week": today})
    assert asked.context["week"] == week_start(date.fromisoformat(today))


@pytest.mark.parametrize(("in_window", "kind"), [(True, "night"), (False, "day")])
def test_the_visit_form_offers_a_night_visit_during_the_night_window(client, alice, alice_household, in_window, kind):
    from visits import night

    today = timezone.localdate()
    # an evening before today: the session (checked against the same clock) must not look expired
    night_day = next(today - timedelta(days=n) for n in range(1, 8) if night.is_night_date(today - timedelta(days=n)))
    hour = time(20, 30) if in_window else time(15, 0)
    moment = timezone.make_aware(datetime.combine(night_day, hour))
    client.force_login(alice)
    with patch("visits.visit_forms.timezone.now", return_value=moment):
        page = client.get(reverse("visits:visit_create", args=[alice_household.pk]))
    assert page.context["form"].initial["kind"] == kind


def test_an_area_over_days_lists_every_unit_s_plans_for_it_as_the_dashboard_counts(
    client, bob, alice, village_a, village_b, alice_household, django_assert_max_num_queries
):
    today = timezone.localdate()
    nights = [day for day in (today - timedelta(days=n) for n in range(1, 20)) if day.weekday() in (0, 2, 4)]
    kept, missed, by_another_unit, before = nights[0], nights[1], nights[2], nights[-1]
    for night in (kept, missed, before):
        NightVisitPlan.objects.create(officer=alice, village=village_a, date=night, unit=bob.unit, planned_by=bob)
    NightVisitPlanFactory(village=village_a, date=by_another_unit)
    NightVisitPlanFactory(village=village_b, date=kept)
    upcoming = NightVisitPlanFactory(village=village_a, date=next_night_date())
    VisitFactory(
        visitor=alice,
        household=alice_household,
        kind=Visit.Kind.NIGHT,
        visited_at=evening(kept),
        created_at=evening(kept),
    )
    client.force_login(bob)
    days = {"area": village_a.pk, "from": nights[-2].isoformat(), "to": upcoming.date.isoformat()}
    # A list page's, and the totals counted apart from the page of rows.
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 1):
        response = client.get(reverse("visits:night_compliance"), days)
    totals = response.context["totals"]
    assert (totals.planned, totals.kept, totals.missed, totals.upcoming) == (4, 1, 2, 1)
    assert {plan.date for plan in response.context["page"].object_list} == {
        kept,
        missed,
        by_another_unit,
        upcoming.date,
    }
    assert f"{village_a.full_name} 夜访考核" in response.content.decode()


def test_an_area_out_of_reach_is_not_shown_and_the_page_says_so(client, village_a, village_b, station_b):
    NightVisitPlanFactory(village=village_a, date=timezone.localdate())
    head_b = UserFactory(unit=station_b, is_unit_head=True)
    client.force_login(head_b)
    response = client.get(reverse("visits:night_compliance"), {"area": village_a.pk})
    assert response.status_code == 200 and "area" not in response.context
    assert response.context["unit"] == station_b and response.context["filter_errors"]


def _last_monday_at(hour, minute):
    today = timezone.localdate()
    monday = next(today - timedelta(days=n) for n in range(1, 8) if (today - timedelta(days=n)).weekday() == 0)
    return evening(monday, hour, minute)


def test_an_evening_whose_hour_is_over_can_no_longer_be_planned(client, bob, alice, village_a, settings):
    settings.NIGHT_VISIT_WEEKDAYS = [0, 2, 4]
    late = _last_monday_at(21, 30)
    monday = timezone.localtime(late).date()
    with patch("django.utils.timezone.now", return_value=late):
        with pytest.raises(services.VisitError, match="今晚的夜访时间已过"):
            services.night_plan_add(planner=bob, officer=alice, village=village_a, date=monday)
        client.force_login(bob)
        offered = [day for day, _ in client.get(reverse("visits:night_plan")).context["form"].fields["date"].choices]
        home = client.get(reverse("home")).content.decode()
    assert monday.isoformat() not in offered and (monday + timedelta(days=2)).isoformat() in offered
    assert "今晚的夜访时间已过,没有安排民警夜访" in home
    assert not NightVisitPlan.objects.exists()
    with patch("django.utils.timezone.now", return_value=_last_monday_at(20, 30)):
        services.night_plan_add(planner=bob, officer=alice, village=village_a, date=monday)


def test_tonights_plan_cannot_be_removed_once_its_hour_is_over(client, bob, alice, village_a, settings):
    settings.NIGHT_VISIT_WEEKDAYS = [0, 2, 4]
    monday = timezone.localtime(_last_monday_at(20, 0)).date()
    plan = NightVisitPlanFactory(officer=alice, village=village_a, date=monday, planned_by=bob)
    client.force_login(bob)
    remove = reverse("visits:night_plan_remove", args=[plan.pk])
    with patch("django.utils.timezone.now", return_value=_last_monday_at(21, 30)):
        page = client.get(reverse("visits:night_plan"), {"week": monday.isoformat()}).content.decode()
        client.post(remove)
    assert remove not in page
    assert NightVisitPlan.objects.filter(pk=plan.pk).exists()
    with patch("django.utils.timezone.now", return_value=_last_monday_at(20, 30)):
        assert remove in client.get(reverse("visits:night_plan"), {"week": monday.isoformat()}).content.decode()
        client.post(remove)
    assert not NightVisitPlan.objects.filter(pk=plan.pk).exists()


def test_the_form_names_an_evening_as_the_plan_list_does(client, bob, alice, village_a):
    # “12月2日 星期三” on both, not “12月02日 周三” on the form.
    client.force_login(bob)
    response = client.get(reverse("visits:night_plan"))
    day, label = response.context["form"].fields["date"].choices[0]
    evening = date.fromisoformat(day)
    assert label == f"{evening.month}月{evening.day}日 " + formats.date_format(evening, "l")


def test_a_plan_sent_without_choices_says_what_to_choose(client, bob):
    client.force_login(bob)
    response = client.post(reverse("visits:night_plan_add"), {})
    body = response.content.decode()
    assert "请选择夜访日期。" in body and "请选择夜访的民警。" in body and "请选择夜访的村/居。" in body
