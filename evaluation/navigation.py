"""The evaluation centre's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (NavItem("每日通报", "evaluation:review_list", can.may_read_daily_reviews),)
