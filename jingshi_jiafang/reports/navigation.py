from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (NavItem("月度分类报表", "reports:monthly_report", can.may_export_monthly_report),)
