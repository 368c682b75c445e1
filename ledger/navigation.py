"""The ledger app's menu entries: the ledger, pairing (结对联建) and the service teams."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (
    NavItem("我的台账", "ledger:my_items", can.may_answer_for_ledger_items),
    NavItem("销号台账", "ledger:item_list", can.may_read_ledgers),
    NavItem("结对联建", "ledger:pairing_compliance", can.may_read_pairing),
    NavItem("服务队", "ledger:team_list", can.may_read_service_teams),
)
