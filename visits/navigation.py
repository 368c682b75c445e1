"""The visits app's menu entries."""

from jingshi_jiafang.core.navigation import NavItem, Role

NAV_ITEMS = (
    NavItem("民情日记", "visits:diary", frozenset({Role.OFFICER, Role.CADRE, Role.LEADER})),
    NavItem("夜访安排", "visits:night_plan", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("夜访考核", "visits:night_compliance", frozenset({Role.LEADER, Role.EVALUATOR, Role.LEGAL})),
    NavItem("夜访考核", "visits:night_compliance", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("走访覆盖", "visits:coverage", frozenset({Role.LEADER, Role.CADRE, Role.EVALUATOR, Role.LEGAL})),
    NavItem("走访覆盖", "visits:coverage", frozenset({Role.OFFICER}), unit_head=True),
)
