"""The visits app's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (
    NavItem("民情日记", "visits:diary", can.may_visit),
    NavItem("夜访安排", "visits:night_plan", can.may_plan_night_visits),
    NavItem("夜访考核", "visits:night_compliance", can.may_view_night_compliance),
    NavItem("走访覆盖", "visits:coverage", can.may_view_coverage),
)
