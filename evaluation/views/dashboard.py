"""The leadership dashboard (数据看板) and its wall mode (指挥大屏): an area's figures for a period, charts, and a
link from every figure and bar one level down — county → town → village → the records behind it."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from evaluation.forms.dashboard import DashboardPeriodForm
from evaluation.models.summaries import RUN_MONTHS
from evaluation.selectors import dashboard as selectors
from evaluation.selectors.dashboard import Period, Scope
from feedback.filters import UNCLASSIFIED
from feedback.models import Matter
from jingshi_jiafang.core.capabilities import may_view_dashboard, may_view_night_compliance
from jingshi_jiafang.core.models import Area
from jingshi_jiafang.core.permissions import capability_required
from jingshi_jiafang.core.scopes import get_area_for_user
from visits.models import Finding

NO_ACCESS = "数据看板供局领导、中层干部、单位负责人和法制、访评部门查看。"
BY_AREA = "#by-area"
# 大屏: reload the figures every five minutes (the hourly job refreshes today's rows).
WALL_REFRESH_SECONDS = 300


def dashboard_url(area: Area | None, period: Period, *, wall: bool = False) -> str:
    if area is None:
        path = reverse("evaluation:dashboard_wall" if wall else "evaluation:dashboard")
    else:
        path = reverse("evaluation:dashboard_area_wall" if wall else "evaluation:dashboard_area", args=[area.pk])
    return f"{path}?{urlencode(period.query())}"


class Links:
    """Where each figure leads: the records when the dashboard is a village's (the list pages, filtered to the
    village and the period, scoped as always), otherwise the table of the areas one level down."""

    def __init__(self, scope: Scope, period: Period):
        self.village = scope.area if scope.area is not None and scope.area.kind == Area.Kind.VILLAGE else None
        self.period = period
        self.user = scope.user

    def _records(self, name: str, **params) -> str:
        if self.village is None:
            return BY_AREA
        return f"{reverse(name)}?{urlencode(params)}"

    def visits(self, **filters) -> str:
        period = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        return self._records("visits:diary", area=self.village.pk if self.village else "", **period, **filters)

    def finding(self, kind: str) -> str:
        return self.visits(finding=kind)

    def _days(self, prefix: str) -> dict:
        return {f"{prefix}_from": self.period.start.isoformat(), f"{prefix}_to": self.period.end.isoformat()}

    def _matters(self, **filters) -> str:
        village = self.village.pk if self.village else ""
        return self._records("feedback:matter_list", queue="all", village=village, **filters)

    def matters_received(self, *, reached: str = Matter.State.REPORTED, **filters) -> str:
        """The matters received in the period that have reached `reached` (by default all but the merged ones,
        which the figures count in the matter they joined)."""
        return self._matters(**self._days("received"), reached=reached, **filters)

    def unplaced_matters(self, town: Area) -> str:
        """The matters of a town's 未落到村 row: received in the period with no village, by a unit placed in the
        town (the talk rooms'), whatever the dashboard's level."""
        params = {"queue": "all", "unplaced_in": town.pk, **self._days("received"), "reached": Matter.State.REPORTED}
        return f"{reverse('feedback:matter_list')}?{urlencode(params)}"

    def matters_closed(self) -> str:
        """The matters closed in the period, whenever received, those reopened since among them."""
        return self._matters(**self._days("closed"))

    def ledger_closed(self) -> str:
        """The items closed in the period, those reopened since among them: what 台账销号 counts."""
        village = self.village.pk if self.village else ""
        return self._records("ledger:item_list", village=village, **self._days("closed"))

    def areas_only(self) -> str:
        """The figures no list page shows record by record (the callbacks: the evaluation centre's pages count them
        by day and caller, not by village): the table of the areas above a village, nothing on a village's."""
        return "" if self.village else BY_AREA

    def night(self) -> str:
        """The area's plans of the period's evenings, whichever unit planned them; no link on a village's page for
        who may not read 夜访考核 (a cadre), rather than one to a page that refuses them."""
        if self.village is not None and not may_view_night_compliance(self.user):
            return ""
        period = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        return self._records("visits:night_compliance", area=self.village.pk if self.village else "", **period)


def _cards(board: selectors.Dashboard, links: Links) -> list[dict]:
    """The seed's outcome figures, first, then the work behind them. The matters received and those closed are two
    cards: a period's closures include matters received before it, so they may outnumber its receipts."""
    figures = board.figures

    def rate(value) -> str:
        return "—" if value is None else f"{value}%"

    visited = figures.households_visited
    household_visits = links.visits(visited="household")
    coverage = f"覆盖率 {rate(figures.coverage)}" if visited is not None else f"超过{RUN_MONTHS}个月不去重统计"
    return [
        {"key": "households", "label": "走访户数", "value": "—" if visited is None else visited, "note": coverage,
         "url": household_visits},
        {"key": "visits", "label": "走访户次", "value": figures.visits,
         "note": f"夜访 {figures.visits_night} · 专题 {figures.visits_topic}", "url": household_visits},
        {"key": "organisations", "label": "单位走访", "value": figures.visits_organisation,
         "note": "次,不计入走访户次", "url": links.visits(visited="organisation")},
        {"key": "corrections", "label": "整改户籍数据", "value": figures.corrections, "note": "项",
         "url": links.visits(corrections="on")},
        {"key": "disputes", "label": "发现矛盾纠纷", "value": figures.disputes_found,
         "note": f"当场调解 {figures.disputes_mediated}", "url": links.finding(Finding.Kind.DISPUTE)},
        {"key": "problems", "label": "解决复杂问题", "value": figures.problems_solved,
         "note": f"走访 {figures.problems_solved_on_visit} · 台账 {figures.problems_solved_in_ledger}",
         "url": links.finding(Finding.Kind.PROBLEM_SOLVED)},
        {"key": "stability", "label": "维稳信息", "value": figures.stability_info, "note": "条",
         "url": links.finding(Finding.Kind.STABILITY)},
        {"key": "clues", "label": "破案线索", "value": figures.case_clues, "note": "条",
         "url": links.finding(Finding.Kind.CASE_CLUE)},
        {"key": "night", "label": "夜访落实率", "value": rate(figures.night_rate),
         "note": f"按时 {figures.night_kept} · 未落实 {figures.night_missed}", "url": links.night()},
        {"key": "matters", "label": "受理诉求", "value": figures.matters_received,
         "note": f"其中已办结 {board.received_closed}", "url": links.matters_received()},
        {"key": "matters_closed", "label": "本期办结诉求", "value": figures.matters_closed,
         "note": f"含往期受理 · 按期\N{NO-BREAK SPACE}{rate(figures.matters_on_time_rate)}",
         "url": links.matters_closed()},
        {"key": "ledger", "label": "台账销号", "value": figures.ledger_closed,
         "note": f"按期 {rate(figures.ledger_on_time_rate)}", "url": links.ledger_closed()},
        {"key": "callbacks", "label": "回访接通", "value": figures.callbacks_reached,
         "note": f"拨打 {figures.callbacks_made} · 接通率 {rate(figures.reach_rate)}", "url": links.areas_only()},
        {"key": "satisfaction", "label": "满意率", "value": rate(figures.satisfaction_rate),
         "note": f"虚假走访 {figures.callbacks_denied}", "url": links.areas_only()},
    ]  # fmt: skip


def _chart_data(board: selectors.Dashboard, links: Links, *, area_urls: list[str]) -> dict:
    scope = board.scope
    months = board.trend_months
    security = selectors.sense_of_security_trend(scope=scope, months=months)
    data = {
        "trend": {
            "months": [f"{month:%Y-%m}" for month in months],
            "visits": [figures.visits for figures in board.trend],
            "households": [figures.households_visited for figures in board.trend],
            "satisfaction": [figures.satisfaction_rate for figures in board.trend],
            "security": security,
            "urls": [dashboard_url(scope.area, Period.month(month)) for month in months],
        },
        "topics": {
            "names": [label for _, label, _ in board.topics],
            "values": [count for _, _, count in board.topics],
            "urls": [links.matters_received(category=category or UNCLASSIFIED) for category, _, _ in board.topics],
        },
        "funnel": {
            "names": [label for _, label, _ in board.stages],
            "values": [count for _, _, count in board.stages],
            "urls": [links.matters_received(reached=stage) for stage, _, _ in board.stages],
        },
        "callbacks": {
            "names": ["满意", "基本满意", "不满意"],
            "values": [board.figures.satisfied, board.figures.fairly_satisfied, board.figures.not_satisfied],
        },
        "areas": None,
    }
    # The chart is of visits and coverage: a town's own row (what has no village) has neither, and stays in the
    # table below.
    charted = [(row, url) for row, url in zip(board.rows, area_urls, strict=True) if not row.unplaced]
    if charted:
        data["areas"] = {
            "title": "按镇/乡" if scope.level == Area.Kind.TOWN else "按村/居",
            "names": [row.name for row, _ in charted],
            "visits": [row.figures.visits for row, _ in charted],
            "households": [row.figures.households_visited for row, _ in charted],
            "coverage": [row.figures.coverage for row, _ in charted],
            "urls": [url for _, url in charted],
        }
    return data


def _context(request, pk: int | None, *, wall: bool) -> dict:
    area = get_area_for_user(request.user, pk) if pk is not None else None
    scope = Scope(request.user, area)
    form = DashboardPeriodForm(request.GET)
    period = form.chosen_period()
    board = selectors.dashboard(scope=scope, period=period)
    links = Links(scope, period)
    crumbs = [
        (
            "全县" if selectors.whole_reach_is_county(request.user) else "我的辖区",
            dashboard_url(None, period, wall=wall),
        )
    ]
    if area is not None and area.parent_id:
        crumbs.append((area.parent.name, dashboard_url(area.parent, period, wall=wall)))
    if area is not None:
        crumbs.append((area.name, dashboard_url(area, period, wall=wall)))
    # A town's own row (what has no village) has no page below the town's: it leads to its matters instead.
    rows = [
        {
            "row": row,
            "url": links.unplaced_matters(row.area) if row.unplaced else dashboard_url(row.area, period, wall=wall),
        }
        for row in board.rows
    ]
    return {
        "board": board,
        "area": area,
        "period": period,
        "form": form,
        "filter_errors": form.errors_text() if form.is_bound and request.GET else [],
        "cards": _cards(board, links),
        "rows": rows,
        "crumbs": crumbs,
        "chart_data": _chart_data(board, links, area_urls=[item["url"] for item in rows]),
        "wall_url": dashboard_url(area, period, wall=True),
        "page_url": dashboard_url(area, period),
        "coverage_url": _coverage_url(area, period),
        "village_records": links.village is not None,
        "partial_towns": [] if wall else scope.partial_towns(),
        "refresh_seconds": WALL_REFRESH_SECONDS,
    }


def _coverage_url(area: Area | None, period: Period) -> str:
    """The coverage page of the same area (a town or a village) and period."""
    params = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if area is not None:
        params["area"] = area.pk
    return f"{reverse('visits:coverage')}?{urlencode(params)}"


@capability_required(may_view_dashboard, NO_ACCESS)
def dashboard(request, pk: int | None = None):
    return render(request, "evaluation/dashboard/dashboard.html", _context(request, pk, wall=False))


@capability_required(may_view_dashboard, NO_ACCESS)
def dashboard_wall(request, pk: int | None = None):
    return render(request, "evaluation/dashboard/wall.html", _context(request, pk, wall=True))
