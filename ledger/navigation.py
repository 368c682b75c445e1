"""The ledger app's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (
    NavItem("我的台账", "ledger:my_items", can.sees_own_households_only),
    NavItem("销号台账", "ledger:item_list", can.may_read_ledgers),
)
