"""The evaluation centre's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

# One entry: the wall mode (指挥大屏) is a button on the dashboard, for the command centre's screen.
NAV_ITEMS = (NavItem("数据看板", "evaluation:dashboard", can.may_view_dashboard),)
