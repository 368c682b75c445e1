"""The ledger app's menu entries: pairing (结对联建) and the service teams."""

from jingshi_jiafang.core.navigation import NavItem, Role

NAV_ITEMS = (
    NavItem("结对联建", "ledger:pairing_compliance", frozenset({Role.LEADER, Role.CADRE, Role.EVALUATOR})),
    NavItem(
        "服务队",
        "ledger:team_list",
        frozenset({Role.OFFICER, Role.LEADER, Role.CADRE, Role.DUTY_OFFICER, Role.EVALUATOR, Role.LEGAL}),
    ),
)
