"""The ledger app's menu entries."""

from jingshi_jiafang.core.navigation import NavItem, Role

NAV_ITEMS = (
    NavItem("我的台账", "ledger:my_items", frozenset({Role.OFFICER}), unit_head=False),
    NavItem(
        "销号台账",
        "ledger:item_list",
        frozenset({Role.OFFICER, Role.DUTY_OFFICER, Role.LEADER, Role.CADRE, Role.LEGAL, Role.EVALUATOR}),
    ),
)
