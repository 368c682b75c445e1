"""The feedback app's menu entries."""

from jingshi_jiafang.core.navigation import CASE_ROLES, NavItem, Role

NAV_ITEMS = (
    NavItem("诉求", "feedback:matter_list", CASE_ROLES),
    NavItem("说事厅接待", "feedback:walk_in", frozenset({Role.DUTY_OFFICER})),
    NavItem("值班表", "feedback:roster", frozenset({Role.DUTY_OFFICER})),
    NavItem("值班表", "feedback:roster", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("回访", "feedback:callback_list", frozenset({Role.DUTY_OFFICER})),
    NavItem("回音卡", "feedback:card_overview", frozenset({Role.DUTY_OFFICER})),
    NavItem("回音卡", "feedback:card_overview", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("专题家访", "feedback:topic_visit_list", frozenset({Role.LEADER, Role.LEGAL, Role.EVALUATOR})),
)
