"""The evaluation centre's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (
    NavItem("数据看板", "evaluation:dashboard", can.may_view_dashboard),
    NavItem("指挥大屏", "evaluation:dashboard_wall", can.may_view_dashboard),
)
