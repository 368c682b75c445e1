"""The leadership dashboard: figures equal to the source tables, drill-down links, who may see which area, and a
bounded number of queries however many towns and villages."""

import html
import re
from datetime import date, timedelta

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from evaluation.models import VillageDaySummary
from evaluation.selectors.dashboard import Period
from evaluation.services.summaries import summaries_refresh_range
from feedback.models import Matter
from jingshi_jiafang.core.models import User
from ledger.models import LedgerItem
from tests.conftest import log_in_as
from tests.core.factories import (
    AreaLinkFactory,
    BureauFactory,
    HouseholdFactory,
    PoliceRoomFactory,
    StationFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)
from tests.evaluation.summaries_data import DAY, at, build_day, close_matter, matter
from tests.visits.factories import VisitFactory
from visits.models import Finding, RegistrationCorrection, Visit

pytestmark = pytest.mark.django_db
MARCH = {"period": "month", "month": "2026-03"}


def _refresh():
    summaries_refresh_range(start=date(2026, 1, 1), end=date(2026, 3, 31))


def _page(client, user, area=None, **params):
    log_in_as(client, user)
    url = reverse("evaluation:dashboard_area", args=[area.pk]) if area else reverse("evaluation:dashboard")
    return client.get(url, params or MARCH)


def _figure(response, key: str) -> str:
    card = next(card for card in response.context["cards"] if card["key"] == key)
    return str(card["value"])


@pytest.fixture
def day():
    built = build_day()
    # A second town with a village and a visit, so the county has more than one bar.
    other_village = VillageFactory(name="西河村")
    VisitFactory(household=HouseholdFactory(village=other_village), visited_at=at(DAY, 11))
    built.other_village = other_village
    _refresh()
    return built


@pytest.fixture
def evaluator():
    return UserFactory(role=User.Role.EVALUATOR, unit=BureauFactory())


def test_county_figures_equal_counts_from_the_source_tables(client, evaluator, day):
    response = _page(client, evaluator)
    assert response.status_code == 200
    march = Q(visited_at__gte=at(date(2026, 3, 1), 0), visited_at__lt=at(date(2026, 4, 1), 0))
    visits = Visit.objects.filter(march)
    findings = Finding.objects.filter(visit__in=visits).aggregate(
        disputes=Count("pk", filter=Q(kind="dispute")),
        mediated=Count("pk", filter=Q(kind="dispute", mediated_on_spot=True)),
        stability=Count("pk", filter=Q(kind="stability")),
        clues=Count("pk", filter=Q(kind="case_clue")),
    )
    figures = response.context["board"].figures
    assert figures.visits == visits.count() == 7
    assert figures.households_visited == visits.values("household").distinct().count() == 4
    assert _figure(response, "households") == "4"
    assert figures.corrections == RegistrationCorrection.objects.filter(visit__in=visits).count() == 2
    assert (figures.disputes_found, figures.disputes_mediated) == (findings["disputes"], findings["mediated"])
    assert (figures.stability_info, figures.case_clues) == (findings["stability"], findings["clues"])
    # The walk-in with no household too (in its unit's town), as the monthly report counts it.
    received = Matter.objects.filter(created_at__gte=at(date(2026, 3, 1), 0)).exclude(state=Matter.State.MERGED)
    assert figures.matters_received == received.count() == 4
    assert response.context["board"].stages[0][2] == 4
    # Every household of the county is counted once in the denominator: 4 visited of 4.
    assert figures.coverage == 100.0
    assert figures.satisfaction_rate == 50.0
    assert figures.night_rate == 50.0


def test_the_year_and_a_run_of_months_read_the_same_rows(client, evaluator, day):
    year = _page(client, evaluator, period="year", year="2026")
    assert year.context["period"].label == "2026年"
    # h1 and h2 were first visited this year in February and on 2 March, h3 and the other town's on the day.
    assert year.context["board"].figures.households_visited == 4
    months = _page(client, evaluator, period="range", **{"from": "2026-02", "to": "2026-03"})
    assert months.context["period"].label == "2026年2月至2026年3月"
    assert months.context["board"].figures.visits == 8


def test_a_run_of_months_counts_each_household_once_as_the_year_does(client, evaluator):
    village = VillageFactory()
    often, once, last_year = (HouseholdFactory(village=village) for _ in range(3))
    for month in (1, 2, 3):
        VisitFactory(household=often, visited_at=at(date(2026, month, 10), 10))
    VisitFactory(household=once, visited_at=at(date(2026, 2, 12), 10))
    VisitFactory(household=last_year, visited_at=at(date(2025, 12, 5), 10))
    VisitFactory(household=last_year, visited_at=at(date(2026, 3, 5), 10))
    summaries_refresh_range(start=date(2025, 12, 1), end=date(2026, 3, 31))

    def households(**params) -> str:
        return _figure(_page(client, evaluator, **params), "households")

    # Visited in February and March: `often` (both months), `once` and `last_year`, each once: not 2 + 2.
    assert households(period="range", **{"from": "2026-02", "to": "2026-03"}) == "3"
    assert households(period="year", year="2026") == "3"
    # Across the new year: `last_year` in December and March is one household.
    assert households(period="range", **{"from": "2025-12", "to": "2026-03"}) == "3"
    assert households(period="range", **{"from": "2025-12", "to": "2026-01"}) == "2"


def test_a_run_longer_than_a_year_says_its_households_are_not_counted(client, evaluator, day):
    response = _page(client, evaluator, period="range", **{"from": "2025-01", "to": "2026-03"})
    card = next(card for card in response.context["cards"] if card["key"] == "households")
    assert (card["value"], card["note"]) == ("—", "超过12个月不去重统计")
    assert response.context["board"].figures.visits == 8


def test_a_bad_period_falls_back_to_this_month_and_says_so(client, evaluator, day):
    response = _page(client, evaluator, period="range", **{"from": "2026-03", "to": "2026-01"})
    assert response.context["period"].kind == "month"
    assert "起始月份不能晚于截止月份" in response.content.decode()


def test_county_bars_drill_down_to_towns_then_villages_then_records(client, evaluator, day):
    county = _page(client, evaluator)
    town_url = reverse("evaluation:dashboard_area", args=[day.town.pk])
    data = county.context["chart_data"]
    assert data["areas"]["names"] == [
        area.name for area in sorted([day.town, day.other_village.parent], key=lambda a: a.code)
    ]
    assert any(url.startswith(town_url) for url in data["areas"]["urls"])
    assert town_url in county.content.decode()
    # The cards of a county or a town open this table: each has its column (台账销号 too).
    assert '<th class="text-end">台账销号</th>' in county.content.decode()

    town = _page(client, evaluator, day.town)
    village_url = reverse("evaluation:dashboard_area", args=[day.village_1.pk])
    rows = {(row.area, row.unplaced): row for row in town.context["board"].rows}
    assert rows.keys() == {(day.village_1, False), (day.village_2, False), (day.town, True)}
    # The town's talk-room walk-in has no village: its own row, last, named for what it is, with no page below.
    walk_ins = rows[(day.town, True)]
    assert town.context["board"].rows[-1] is walk_ins and walk_ins.figures.matters_received == 1
    assert "未落到村(说事厅等)" in town.content.decode()
    # The chart is of visits and coverage, which it has none of: it is in the table only.
    assert "未落到村(说事厅等)" not in town.context["chart_data"]["areas"]["names"]
    assert village_url in town.content.decode()
    assert town.context["board"].figures.visits == 6

    village = _page(client, evaluator, day.village_1)
    links = {card["key"]: card["url"] for card in village.context["cards"]}
    assert links["disputes"].startswith(reverse("visits:diary"))
    assert f"area={day.village_1.pk}" in links["disputes"] and "finding=dispute" in links["disputes"]
    assert links["matters"].startswith(reverse("feedback:matter_list"))
    assert f"village={day.village_1.pk}" in links["matters"]
    assert links["ledger"].startswith(reverse("ledger:item_list"))
    # No page lists a village's callbacks: their figures lead nowhere rather than to a list without them.
    assert links["callbacks"] == links["satisfaction"] == ""
    assert '<a class="card figure-card" href=""' not in village.content.decode()
    assert 'data-figure="callbacks"' in village.content.decode()

    # The records behind the disputes figure: the one visit that found them.
    records = client.get(links["disputes"])
    assert records.status_code == 200
    assert [visit.pk for visit in records.context["page"].object_list] == [day.day_visit.pk]
    corrections = client.get(links["corrections"])
    assert [visit.pk for visit in corrections.context["page"].object_list] == [day.day_visit.pk]
    # The figure counts items, the list visits: the list says both, so the two can be checked against each other.
    made = village.context["board"].figures.corrections
    assert corrections.context["corrections_made"] == made and f"整改户籍数据 {made} 项" in corrections.content.decode()
    assert records.context["corrections_made"] is None  # said only where the items are what is counted
    visits = client.get(links["visits"])
    assert visits.context["page"].paginator.count == village.context["board"].figures.visits == 4
    # The households behind 走访户数: h1 (three visits) and h2, each once.
    households = client.get(links["households"])
    assert households.context["households"] == village.context["board"].figures.households_visited == 2


def test_a_town_s_unplaced_row_opens_the_matters_it_counts(client, evaluator, day):
    # A matter of the other town's room with no village is not the town's; one with a village is a village's.
    other_room = PoliceRoomFactory()
    day.other_village.unit = other_room
    day.other_village.save()
    matter(unit=other_room, household=None, created=at(DAY, 10))
    town = _page(client, evaluator, day.town)
    url = next(item["url"] for item in town.context["rows"] if item["row"].unplaced)
    assert url.startswith(reverse("feedback:matter_list")) and f"unplaced_in={day.town.pk}" in url
    assert f'href="{html.escape(url)}">未落到村(说事厅等)<' in town.content.decode()

    listed = client.get(url)
    matters = list(listed.context["page"].object_list)
    assert len(matters) == 1 == town.context["board"].rows[-1].figures.matters_received
    assert matters[0].village_id is None and matters[0].unit.areas.filter(parent=day.town).exists()
    # Chosen in 更多筛选, it says which town, and the filters stay open; above them, what the list shows.
    assert listed.context["more_filters"]
    summary = (
        f"共 1 件 · 筛选:未落到村(说事厅等):{day.town.name}、办理进度:已受理(不含已合并)、"
        "受理日期起:2026-03-01、受理日期止:2026-03-31"
    )
    assert summary in listed.content.decode()
    assert f'<option value="{day.town.pk}" selected>{day.town.name}</option>' in listed.content.decode()


def test_the_funnel_and_topics_carry_record_links_at_a_village(client, evaluator, day):
    h1 = day.households[0]
    matter(unit=day.room_1, household=h1, created=at(DAY, 12))
    dispatched = matter(unit=day.room_1, household=h1, created=at(DAY, 12))
    Matter.objects.filter(pk=dispatched.pk).update(state=Matter.State.DISPATCHED)
    data = _page(client, evaluator, day.village_1).context["chart_data"]
    assert data["funnel"]["names"] == ["汇报", "研判", "分流", "处理", "办结"]
    # Four matters of the village received in March: two closed, one dispatched, one just reported. A stage
    # counts those that have reached it.
    assert data["funnel"]["values"] == [4, 3, 3, 2, 2]
    # Each stage opens the matters behind it: of March, of the village, that have reached the stage.
    for url, value in zip(data["funnel"]["urls"], data["funnel"]["values"], strict=True):
        assert url.startswith(reverse("feedback:matter_list")) and "received_from=2026-03-01" in url
        assert client.get(url).context["page"].paginator.count == value
    assert "category=public_security" in data["topics"]["urls"][0]


def test_matters_received_and_closed_are_two_figures_each_opening_its_own_records(client, evaluator, day):
    h1, h2 = day.households[:2]
    # Received in February and closed in March: one of March's closures, not of its receipts.
    february = matter(unit=day.room_1, household=h2, created=at(date(2026, 2, 20), 9))
    close_matter(february, when=at(DAY, 15), deadline=None)
    # Received in March and merged into another: counted in the one it joined.
    merged = matter(unit=day.room_1, household=h1, created=at(DAY, 13))
    Matter.objects.filter(pk=merged.pk).update(state=Matter.State.MERGED, duplicate_of=february)
    _refresh()
    cards = {card["key"]: card for card in _page(client, evaluator, day.village_1).context["cards"]}
    # The village's March: two matters received (both closed since), three closed (the February one too).
    assert (cards["matters"]["label"], cards["matters"]["value"], cards["matters"]["note"]) == (
        "受理诉求",
        2,
        "其中已办结 2",
    )
    assert (cards["matters_closed"]["label"], cards["matters_closed"]["value"]) == ("本期办结诉求", 3)
    assert cards["matters_closed"]["note"].startswith("含往期受理")
    received = {m.pk for m in client.get(cards["matters"]["url"]).context["page"].object_list}
    assert len(received) == 2 and february.pk not in received and merged.pk not in received
    closed = {m.pk for m in client.get(cards["matters_closed"]["url"]).context["page"].object_list}
    assert closed == received | {february.pk}


def test_ledger_closures_open_the_items_closed_in_the_period_reopened_ones_too(client, evaluator, day):
    # One of the village's two items closed on the day was reopened by a callback since.
    reopened = LedgerItem.objects.filter(household__village=day.village_1).first()
    LedgerItem.objects.filter(pk=reopened.pk).update(state=LedgerItem.State.REGISTERED)
    card = next(card for card in _page(client, evaluator, day.village_1).context["cards"] if card["key"] == "ledger")
    assert card["value"] == 2
    assert "closed_from=2026-03-01" in card["url"] and "closed_to=2026-03-31" in card["url"]
    items = client.get(card["url"]).context["page"].object_list
    assert len(items) == 2 and reopened in items


def test_night_compliance_opens_the_village_s_evenings_of_the_period(client, evaluator, day):
    for village in (day.village_1, day.village_2):
        response = _page(client, evaluator, village)
        figures = response.context["board"].figures
        url = next(card["url"] for card in response.context["cards"] if card["key"] == "night")
        assert url.startswith(reverse("visits:night_compliance")) and f"area={village.pk}" in url
        assert "from=2026-03-01" in url and "to=2026-03-31" in url
        totals = client.get(url).context["totals"]
        assert (totals.kept, totals.missed) == (figures.night_kept, figures.night_missed)
    # The first village's plan was kept, the second's missed.
    assert (totals.kept, totals.missed) == (0, 1)


def test_a_cadre_s_village_page_offers_no_night_link_to_a_page_that_refuses_them(client, day):
    # Walkthrough 13b: a cadre's village page linked 夜访落实率 to 夜访考核, which answers a cadre 403.
    cadre = UserFactory(role=User.Role.CADRE, unit=BureauFactory())
    AreaLinkFactory(user=cadre, area=day.village_2)
    response = _page(client, cadre, day.village_2)
    card = next(card for card in response.context["cards"] if card["key"] == "night")
    assert card["url"] == ""
    body = response.content.decode()
    assert reverse("visits:night_compliance") not in body
    assert client.get(reverse("visits:night_compliance"), {"area": day.village_2.pk}).status_code == 403
    # The town's page keeps its link to the table of villages below.
    town = next(card for card in _page(client, cadre, day.town).context["cards"] if card["key"] == "night")
    assert town["url"] == "#by-area"


def test_the_coverage_link_keeps_the_village_and_the_period(client, evaluator, day):
    response = _page(client, evaluator, day.village_1)
    url = response.context["coverage_url"]
    assert f"area={day.village_1.pk}" in url and "from=2026-03-01" in url and "to=2026-03-31" in url
    assert [row.area for row in client.get(url).context["rows"]] == [day.village_1]


def test_a_leader_sees_the_linked_town_and_not_another(client, day):
    leader = UserFactory(role=User.Role.LEADER, unit=BureauFactory())
    AreaLinkFactory(user=leader, area=day.town)
    assert _page(client, leader).status_code == 200
    whole = _page(client, leader)
    # Their reach is one town: the top level is that town's villages, not the county.
    assert whole.context["crumbs"][0][0] == "我的辖区"
    assert "逐级下钻:我的辖区 →" in whole.content.decode()
    assert whole.context["board"].figures.visits == 6
    # The whole town is theirs, its talk-room walk-in with it.
    assert whole.context["board"].figures.matters_received == 4
    assert _page(client, leader, day.town).status_code == 200
    assert _page(client, leader, day.village_2).status_code == 200
    assert _page(client, leader, day.other_village).status_code == 404
    assert _page(client, leader, day.other_village.parent).status_code == 404


def test_a_leader_linked_to_every_town_sees_the_county(client, day):
    leader = UserFactory(role=User.Role.LEADER, unit=BureauFactory())
    AreaLinkFactory(user=leader, area=day.town)
    AreaLinkFactory(user=leader, area=day.other_village.parent)
    assert _page(client, leader).context["crumbs"][0][0] == "全县"


def test_a_cadre_sees_only_the_linked_village_even_on_its_town(client, day):
    cadre = UserFactory(role=User.Role.CADRE, unit=BureauFactory())
    AreaLinkFactory(user=cadre, area=day.village_2)
    town = _page(client, cadre, day.town)
    assert town.status_code == 200
    assert [row.area for row in town.context["board"].rows] == [day.village_2]
    assert town.context["board"].figures.visits == 2
    # Not the town's walk-in: it is no more the village's than any other's of the town.
    assert town.context["board"].figures.matters_received == 1
    assert _page(client, cadre, day.village_1).status_code == 404


def test_a_cadre_s_town_page_says_it_holds_only_the_cadre_s_villages(client, day):
    """A leader's page of the same town counts all of it: the cadre's smaller figures say whose they are."""
    cadre = UserFactory(role=User.Role.CADRE, unit=BureauFactory())
    AreaLinkFactory(user=cadre, area=day.village_2)
    note = "东关镇的数字只含您辖区内的南湖村,不含该镇/乡其他村(居)和说事厅等未落到村的记录。"
    assert note in _page(client, cadre, day.town).content.decode()
    assert note in _page(client, cadre).content.decode()
    assert 'data-testid="partial-town"' not in _page(client, cadre, day.village_2).content.decode()
    leader = UserFactory(role=User.Role.LEADER, unit=BureauFactory())
    AreaLinkFactory(user=leader, area=day.town)
    assert 'data-testid="partial-town"' not in _page(client, leader, day.town).content.decode()


def test_unit_heads_see_their_unit_s_area_and_officers_no_dashboard(client, day):
    head = UserFactory(role=User.Role.OFFICER, unit=day.town.unit, is_unit_head=True)
    assert _page(client, head, day.village_1).status_code == 200
    assert _page(client, head, day.other_village).status_code == 404
    other_head = UserFactory(role=User.Role.OFFICER, unit=StationFactory(), is_unit_head=True)
    assert _page(client, other_head, day.village_1).status_code == 404
    assert _page(client, day.officer_1).status_code == 403
    assert _page(client, UserFactory(role=User.Role.ADMIN, unit=BureauFactory())).status_code == 403
    legal = UserFactory(role=User.Role.LEGAL, unit=BureauFactory())
    assert _page(client, legal, day.other_village).status_code == 200


def test_the_dashboard_menu_entry_is_offered_to_leaders_and_not_officers(client, day):
    leader = UserFactory(role=User.Role.LEADER, unit=BureauFactory())
    AreaLinkFactory(user=leader, area=day.town)
    log_in_as(client, leader)
    page = client.get(reverse("home")).content.decode()
    assert reverse("evaluation:dashboard") in page and "数据看板" in page
    log_in_as(client, day.officer_1)
    assert reverse("evaluation:dashboard") not in client.get(reverse("home")).content.decode()


def test_wall_mode_reloads_itself_and_keeps_the_scope(client, evaluator, day):
    log_in_as(client, evaluator)
    response = client.get(reverse("evaluation:dashboard_area_wall", args=[day.town.pk]), MARCH)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', page)
    assert 'class="wall"' in page and "指挥大屏" in page
    assert "<script>" not in page  # the CSP allows no inline script: the charts read a json_script block
    assert 'id="dashboard-data"' in page and "js/dashboard.js" in page


def _county(towns: int, villages: int) -> None:
    station = StationFactory()
    for _ in range(towns):
        town = TownFactory(unit=station)
        for _ in range(villages):
            village = VillageFactory(parent=town)
            for _ in range(2):
                VisitFactory(household=HouseholdFactory(village=village), visited_at=at(DAY, 10))


@pytest.mark.parametrize("size", [(2, 2), (5, 4)])
def test_the_county_dashboard_costs_the_same_queries_whatever_its_size(
    client, evaluator, django_assert_max_num_queries, size
):
    _county(*size)
    _refresh()
    assert VillageDaySummary.objects.count() == size[0] * size[1]
    log_in_as(client, evaluator)
    url = reverse("evaluation:dashboard")
    # Session, user, second factor, the session's save (with its savepoint on PostgreSQL), and the page's own:
    # the area, households by area, the totals, the bars, the bars' names, the trend, the funnel (the scope's
    # villages, then the period's matters by village), the title.
    with django_assert_max_num_queries(16):
        response = client.get(url, MARCH)
    assert len(response.context["board"].rows) == size[0]
    with django_assert_max_num_queries(16):
        client.get(reverse("evaluation:dashboard_area", args=[response.context["board"].rows[0].area.pk]), MARCH)


def test_the_leader_s_home_opens_on_the_area_s_figures_of_the_month(client, django_assert_max_num_queries):
    leader = UserFactory(role=User.Role.LEADER, unit=BureauFactory())
    village = VillageFactory()
    AreaLinkFactory(user=leader, area=village.parent)
    VisitFactory(household=HouseholdFactory(village=village), visited_at=at(date.today(), 0) + timedelta(hours=1))
    from django.utils import timezone

    summaries_refresh_range(start=timezone.localdate().replace(day=1), end=timezone.localdate())
    log_in_as(client, leader)
    page = client.get(reverse("home")).content.decode()
    assert "联系镇(乡) · 本月数据" in page
    assert re.search(r"走访户数</div><div class=\"figure-value\">1<", page)
    assert reverse("evaluation:dashboard") in page


def test_the_cadre_s_home_says_when_the_month_has_no_figures_yet(client):
    cadre = UserFactory(role=User.Role.CADRE, unit=BureauFactory())
    AreaLinkFactory(user=cadre, area=VillageFactory())
    log_in_as(client, cadre)
    page = client.get(reverse("home")).content.decode()
    assert "联系村(居) · 本月数据" in page and "本月还没有汇总数据" in page
    # The area's figures, and why the score's 满意率 of the same villages may differ: a cadre's score counts the
    # callbacks of his villages (not of his own visits) by the day of the visit or closing, the card by the call's.
    assert "以上为联系村(居)合计,回访按拨打日期计" in page and "按走访、办结的日期计" in page
    assert "按本人的走访计算" not in page


def test_a_period_without_summaries_says_what_to_do(client, evaluator):
    VillageFactory()
    page = _page(client, evaluator).content.decode()
    assert "这段时间还没有汇总数据" in page and "refresh_summaries" in page


def test_a_month_to_come_is_refused_with_a_message_not_a_page_of_zeros(client, evaluator, day):
    """A leader typing next month saw zeros and "请系统管理员运行 refresh_summaries 补算历史数据"."""
    next_month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    to_come = f"{next_month:%Y-%m}"
    for query in ({"month": to_come}, {"period": "range", "from": "2026-01", "to": to_come}):
        response = _page(client, evaluator, **query)
        assert response.context["period"] == Period.this_month()  # as for any period refused, and says why
        assert f"{next_month.year}年{next_month.month}月还没有到" in response.content.decode()


def test_a_year_that_is_not_a_number_is_said_once(client, evaluator, day):
    page = _page(client, evaluator, period="year", year="abc").content.decode()
    assert "请输入有效的年份" in page and "请选择年份" not in page


def test_a_year_outside_the_window_is_refused_with_a_message(client, evaluator, day):
    response = _page(client, evaluator, period="year", year="1990")
    assert response.context["period"].kind == "month"
    assert "年份应在" in response.content.decode()


def test_the_trend_draws_the_sense_of_security_of_the_area_from_its_questionnaires(client, evaluator, day):
    from evaluation.selectors.questionnaires import area_indices
    from evaluation.services.questionnaires import questionnaire_create, response_record
    from tests.evaluation.factories import answers_by_label, short_template

    template = short_template()
    survey = questionnaire_create(
        template=template, area=day.village_1, start=DAY, end=DAY, sample_size=2, actor=evaluator
    )
    for sample, labels in zip(
        survey.samples.all(), (["很安全", "满意", "满意"], ["不安全", "不满意", "满意"]), strict=True
    ):
        response_record(
            sample=sample,
            actor=evaluator,
            outcome="answered",
            method="phone",
            answers=answers_by_label(template, labels),
        )
    trend = _page(client, evaluator, day.village_1).context["chart_data"]["trend"]
    expected = area_indices(area=day.village_1, start=DAY.replace(day=1), end=DAY)["security"]
    assert expected is not None
    assert trend["security"][trend["months"].index("2026-03")] == expected
    assert all(
        value is None for month, value in zip(trend["months"], trend["security"], strict=True) if month != "2026-03"
    )


def test_a_leader_s_sense_of_security_is_their_town_s_not_the_county_s(client, evaluator, day):
    from evaluation.selectors.questionnaires import area_indices
    from evaluation.services.questionnaires import questionnaire_create, response_record
    from tests.evaluation.factories import answers_by_label, short_template

    template = short_template()
    HouseholdFactory(village=day.other_village)
    county = questionnaire_create(template=template, area=None, start=DAY, end=DAY, sample_size=50, actor=evaluator)
    for sample in county.samples.select_related("village"):
        labels = ["很安全", "满意", "满意"] if sample.village.parent_id == day.town.pk else ["不安全", "不满意", "满意"]
        response_record(
            sample=sample,
            actor=evaluator,
            outcome="answered",
            method="phone",
            answers=answers_by_label(template, labels),
        )
    leader = UserFactory(role=User.Role.LEADER, unit=BureauFactory())
    AreaLinkFactory(user=leader, area=day.town)
    trend = _page(client, leader).context["chart_data"]["trend"]
    town = area_indices(area=day.town, start=DAY.replace(day=1), end=DAY)["security"]
    county_wide = area_indices(area=None, start=DAY.replace(day=1), end=DAY)["security"]
    assert town != county_wide
    assert trend["security"][trend["months"].index("2026-03")] == town


def test_a_walk_in_at_a_police_room_serving_two_towns_is_in_one_town_only(client, evaluator, day):
    """The police room of 东湖村 also serves a village of the other town: its talk-room walk-in is in the town of
    its first village (by code) on the funnel, as in the summary rows and the monthly report, not in both."""

    def received(town) -> tuple[int, int]:
        board = _page(client, evaluator, town).context["board"]
        return board.stages[0][2], board.figures.matters_received

    before = received(day.town)
    room = day.village_1.unit
    VillageFactory(parent=day.other_village.parent, unit=room, name="西岭村", code="Z99")
    matter(unit=room, household=None, created=at(DAY, 15))
    _refresh()

    assert received(day.town) == (before[0] + 1, before[1] + 1)
    assert received(day.other_village.parent) == (0, 0)
