"""结对联建: contacts recorded, duties judged per week, month and year, the compliance page and the home block."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import User
from ledger.models import PairingContact
from ledger.selectors.pairing import pairing_compliance, pairing_duty, period_of
from ledger.services.pairing import PairingError, pairing_contact_record
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import HouseholdFactory, PairingLinkFactory, StationFactory, UserFactory
from tests.ledger.factories import PairingContactFactory
from tests.visits.factories import VisitFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db

# A Wednesday, so that the week and the month around it are plain.
TODAY = date(2026, 4, 15)


def _pairing_visit(pairing, day):
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))
    return VisitFactory(visitor=pairing.user, household=pairing.household, kind=Visit.Kind.PAIRING, visited_at=moment)


@pytest.fixture
def pairing(village_a):
    cadre = UserFactory(role=User.Role.CADRE, name="吴干部")
    return PairingLinkFactory(
        user=cadre, household=HouseholdFactory(village=village_a, is_hardship=True), start_date=date(2025, 1, 1)
    )


def test_weeks_judge_contacts_a_past_week_is_met_or_missed(pairing):
    PairingContactFactory(pairing=pairing, date=date(2026, 3, 30))  # the week of 30 March
    [kept] = pairing_compliance(pairings=[pairing], period=period_of("week", date(2026, 3, 30)), today=TODAY)
    [lapsed] = pairing_compliance(pairings=[pairing], period=period_of("week", date(2026, 3, 23)), today=TODAY)
    # Only contacts judge a week: the year's deeds and the month's visits do not hold a past week open.
    assert [duty.label for duty in kept.duties] == ["联系"]
    assert (kept.status, lapsed.status) == ("met", "missed")


def test_a_past_month_judges_visits_and_is_final(pairing):
    [march] = pairing_compliance(pairings=[pairing], period=period_of("month", date(2026, 3, 1)), today=TODAY)
    [visits] = march.duties
    assert (visits.label, visits.status, march.status) == ("走访", "missed", "missed")
    _pairing_visit(pairing, date(2026, 3, 10))
    [march] = pairing_compliance(pairings=[pairing], period=period_of("month", date(2026, 3, 1)), today=TODAY)
    assert march.status == "met"


def test_the_current_year_without_deeds_is_open(pairing):
    [year] = pairing_compliance(pairings=[pairing], period=period_of("year", TODAY), today=TODAY)
    assert [(duty.label, duty.status) for duty in year.duties] == [("实事", "open")]


def test_a_period_that_has_not_begun_is_not_judged(pairing):
    next_week = period_of("week", TODAY).shifted(1)
    for period in (next_week, period_of("month", TODAY).shifted(1), period_of("year", TODAY).shifted(1)):
        [result] = pairing_compliance(pairings=[pairing], period=period, today=TODAY)
        assert (result.status, result.duties[0].status) == ("future", "future")


def test_a_pairing_visit_is_a_visit_and_a_contact(pairing):
    _pairing_visit(pairing, TODAY - timedelta(days=1))
    VisitFactory(visitor=pairing.user, household=pairing.household, kind=Visit.Kind.DAY)  # not a pairing visit
    [week] = pairing_compliance(pairings=[pairing], period=period_of("week", TODAY), today=TODAY)
    [month] = pairing_compliance(pairings=[pairing], period=period_of("month", TODAY), today=TODAY)
    assert (week.duties[0].count, week.status) == (1, "met")
    assert (month.duties[0].count, month.status) == (1, "met")


def test_the_current_week_without_a_contact_is_open_not_missed(pairing):
    [week] = pairing_compliance(pairings=[pairing], period=period_of("week", TODAY), today=TODAY)
    assert week.duties[0].status == "open"
    assert week.status == "open"


def test_weeks_before_the_pair_began_are_not_due(village_a):
    pairing = PairingLinkFactory(household=HouseholdFactory(village=village_a, is_hardship=True), start_date=TODAY)
    [year] = pairing_compliance(pairings=[pairing], period=period_of("year", TODAY), duty="week", today=TODAY)
    assert year.duties[0].due == 1  # this week only
    assert not year.missed


def test_contact_is_recorded_only_by_the_paired_person_and_not_in_the_future(pairing):
    today = timezone.localdate()
    contact = pairing_contact_record(pairing=pairing, actor=pairing.user, day=today, method="wechat", note="问候")
    assert contact.recorded_by == pairing.user
    with pytest.raises(PairingError, match="本人结对户"):
        pairing_contact_record(pairing=pairing, actor=UserFactory(role=User.Role.CADRE), day=today, method="phone")
    with pytest.raises(PairingError, match="不能晚于今天"):
        pairing_contact_record(pairing=pairing, actor=pairing.user, day=today + timedelta(days=1), method="phone")


def test_cadre_records_a_contact_from_the_form(client, pairing):
    log_in_as(client, pairing.user)
    url = reverse("ledger:pairing_contact_create")
    assert client.get(url).status_code == 200
    today = timezone.localdate().isoformat()
    response = client.post(url, {"day": today, "method": "phone", "note": "电话问候"})
    assert response.status_code == 302
    assert PairingContact.objects.get().note == "电话问候"
    response = client.post(url, {"day": "2000-01-01", "method": "phone"})
    assert response.status_code == 400
    assert PairingContact.objects.count() == 1


def test_the_contact_form_sent_twice_records_one_contact(client, pairing):
    # A double tap on 保存联系 (or 后退 and 保存 again) recorded the contact twice: 本周联系 2/1 on the home page
    # and the pairing page for one phone call.
    log_in_as(client, pairing.user)
    url = reverse("ledger:pairing_contact_create")
    sent = {"day": timezone.localdate().isoformat(), "method": "phone", "note": "电话问候"}
    assert client.post(url, sent).status_code == 302
    assert client.post(url, sent).status_code == 302
    assert PairingContact.objects.count() == 1
    # another way of contact that day is another contact
    assert client.post(url, {**sent, "method": "wechat"}).status_code == 302
    assert PairingContact.objects.count() == 2


def test_a_deed_sent_twice_is_one_deed_of_the_year(client, pairing):
    # The 记入台账 form sent twice opened two 结对实事 for one deed: once kept, 今年实事 2/2 for one.
    from ledger.models import LedgerItem

    log_in_as(client, pairing.user)
    url = reverse("ledger:item_open_for_household", args=[pairing.household.pk])
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    sent = {"what": "帮助申请冬季取暖补贴", "deadline": deadline, "responsible": pairing.user.pk}
    assert client.post(url, sent).status_code == client.post(url, sent).status_code == 302
    assert LedgerItem.objects.get().source == LedgerItem.Source.PAIRING_DEED


def test_contact_form_says_what_to_do_without_a_pair(client):
    cadre = UserFactory(role=User.Role.CADRE)
    log_in_as(client, cadre)
    response = client.post(reverse("ledger:pairing_contact_create"), {"day": timezone.localdate(), "method": "phone"})
    assert "您还没有结对户" in response.content.decode()
    assert not PairingContact.objects.exists()


def test_officer_may_not_record_a_pairing_contact(client, alice):
    log_in_as(client, alice)
    assert client.get(reverse("ledger:pairing_contact_create")).status_code == 403


def test_home_page_shows_this_weeks_duty_and_what_is_behind(client, pairing):
    log_in_as(client, pairing.user)
    page = client.get(reverse("home")).content.decode()
    assert "本周结对任务" in page
    assert "本周联系 0/1 次" in page
    assert "近4周有 4 周未联系" in page


def test_pairing_duty_counts_this_weeks_contact(pairing):
    today = timezone.localdate()
    PairingContactFactory(pairing=pairing, date=today)
    duty = pairing_duty(user=pairing.user, today=today)
    assert (duty.this_week.count, duty.this_week.status) == (1, "met")


def test_cadre_sees_only_their_own_pair_and_leader_sees_every_pair(client, pairing, village_b):
    other = PairingLinkFactory(household=HouseholdFactory(village=village_b, is_hardship=True, head_name="别户"))
    url = reverse("ledger:pairing_compliance")
    log_in_as(client, pairing.user)
    rows = client.get(url).context["page"].object_list
    assert [row.pairing for row in rows] == [pairing]
    log_in_as(client, UserFactory(role=User.Role.LEADER))
    rows = client.get(url, {"period": "year"}).context["page"].object_list
    assert {row.pairing for row in rows} == {pairing, other}


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.ADMIN, User.Role.DUTY_OFFICER])
def test_compliance_page_is_refused_to_other_roles(client, role):
    log_in_as(client, UserFactory(role=role))
    assert client.get(reverse("ledger:pairing_compliance")).status_code == 403


def test_compliance_page_totals_per_unit_and_filters_the_pairs_behind(client, village_a):
    kept, behind = StationFactory(name="治安大队", code="ZA"), StationFactory(name="刑侦大队", code="XJ")
    today = timezone.localdate()
    for unit, contacted in ((kept, True), (behind, False)):
        pairing = PairingLinkFactory(
            user=UserFactory(role=User.Role.CADRE, unit=unit),
            household=HouseholdFactory(village=village_a, is_hardship=True),
            start_date=today - timedelta(days=today.weekday() + 7),
        )
        if contacted:
            PairingContactFactory(pairing=pairing, date=today - timedelta(days=today.weekday() + 1))
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR))
    last_week = (today - timedelta(days=7)).isoformat()
    response = client.get(reverse("ledger:pairing_compliance"), {"period": "week", "day": last_week, "behind": "on"})
    totals = {total.unit: (total.pairs, total.missed) for total in response.context["totals"]}
    assert totals == {"治安大队": (1, 0), "刑侦大队": (1, 1)}
    assert [row.pairing.user.unit for row in response.context["page"].object_list] == [behind]


def test_compliance_page_queries_do_not_grow_with_pairs(client, village_a, django_assert_max_num_queries):
    for _ in range(30):
        pairing = PairingLinkFactory(household=HouseholdFactory(village=village_a, is_hardship=True))
        PairingContactFactory(pairing=pairing)
        _pairing_visit(pairing, timezone.localdate())
    log_in_as(client, UserFactory(role=User.Role.LEADER))
    # A list page's bound, and one grouped count of the pairs' deeds (ledger items) for any number of pairs.
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 1):
        response = client.get(reverse("ledger:pairing_compliance"), {"period": "year"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25


def test_an_item_a_cadre_opens_for_their_paired_household_is_a_deed_of_the_pair(village_a):
    """结对实事: deeds are ledger items with the pair as their source, counted once delivered."""
    from ledger.models import LedgerItem
    from ledger.selectors.pairing import pairing_deeds_count
    from ledger.services import ledger_item_deliver, ledger_item_open, ledger_item_register

    pairing = PairingLinkFactory(household=HouseholdFactory(village=village_a, is_hardship=True))
    today = timezone.localdate()
    item = ledger_item_open(
        actor=pairing.user,
        household=pairing.household,
        what="帮助申请低保",
        deadline=today + timedelta(days=14),
        unit=village_a.unit,
        source=LedgerItem.Source.HOUSEHOLD,
        responsible=pairing.user,
    )
    assert item.source == LedgerItem.Source.PAIRING_DEED and item.pairing == pairing
    assert pairing_deeds_count(pairings=[pairing], start=today, end=today) == {}
    item = ledger_item_register(item=item, actor=pairing.user)
    ledger_item_deliver(item=item, actor=pairing.user, note="低保已批下来")
    assert pairing_deeds_count(pairings=[pairing], start=today, end=today) == {pairing.pk: 1}
    other = HouseholdFactory(village=village_a)
    unpaired = ledger_item_open(
        actor=pairing.user,
        household=other,
        what="修路灯",
        deadline=today + timedelta(days=14),
        unit=village_a.unit,
        source=LedgerItem.Source.HOUSEHOLD,
    )
    assert unpaired.source == LedgerItem.Source.HOUSEHOLD and unpaired.pairing is None


def test_compliance_page_does_not_lead_into_the_future_and_a_future_week_is_not_started(client, pairing):
    log_in_as(client, UserFactory(role=User.Role.LEADER))
    url = reverse("ledger:pairing_compliance")
    today = timezone.localdate()
    current = client.get(url, {"period": "week", "day": today.isoformat()})
    assert current.context["next"] is None and "下一期" not in current.content.decode()
    past = client.get(url, {"period": "week", "day": (today - timedelta(days=7)).isoformat()})
    assert past.context["next"].start == period_of("week", today).start
    future = client.get(url, {"period": "week", "day": (today + timedelta(days=14)).isoformat()})
    page = future.content.decode()
    assert "这一期尚未开始" in page and "未开始" in page and "已达标" not in page
    [row] = future.context["page"].object_list
    assert row.status == "future"


def test_compliance_page_says_which_duty_a_period_judges_and_that_deeds_count_when_delivered(client, pairing):
    log_in_as(client, UserFactory(role=User.Role.LEADER))
    url = reverse("ledger:pairing_compliance")
    last_week = (timezone.localdate() - timedelta(days=7)).isoformat()
    response = client.get(url, {"period": "week", "day": last_week})
    page = response.content.decode()
    assert "本页只看联系" in page and "兑现即计入" in page
    [row] = response.context["page"].object_list
    # A past week is final, judged on contacts alone: not held open by the month's visits or the year's deeds.
    assert [duty.label for duty in row.duties] == ["联系"] and row.status == "missed"
    assert "待完成</span>" not in page
    assert "本页只看走访" in client.get(url, {"period": "month", "day": last_week}).content.decode()
