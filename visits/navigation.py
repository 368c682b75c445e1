"""The navigation each role sees: one list, filtered by role, so menus and permissions cannot drift apart."""

from dataclasses import dataclass

from django.urls import reverse

from visits.models import User

Role = User.Role
ALL_ROLES = frozenset(Role)
# Roles that read residents' data; the three administrators (三权分立) do not.
CASE_ROLES = ALL_ROLES - {Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset
    unit_head_only: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV_ITEMS = (
    NavItem("首页", "home", ALL_ROLES),
    NavItem("我的联系户", "visits:household_list", frozenset({Role.OFFICER})),
    NavItem("辖区住户", "visits:household_list", CASE_ROLES - {Role.OFFICER}),
    NavItem("民情日记", "visits:diary", frozenset({Role.OFFICER, Role.CADRE, Role.LEADER})),
    NavItem("夜访安排", "visits:night_plan", frozenset({Role.OFFICER}), unit_head_only=True),
    NavItem("夜访考核", "visits:night_compliance", frozenset({Role.LEADER, Role.EVALUATOR, Role.LEGAL})),
    NavItem("走访覆盖", "visits:coverage", frozenset({Role.LEADER, Role.CADRE, Role.EVALUATOR, Role.LEGAL})),
    NavItem("诉求", "feedback:matter_list", CASE_ROLES),
    NavItem("说事厅接待", "feedback:walk_in", frozenset({Role.DUTY_OFFICER})),
    NavItem("值班表", "feedback:roster", frozenset({Role.DUTY_OFFICER})),
    NavItem("值班表", "feedback:roster", frozenset({Role.OFFICER}), unit_head_only=True),
    NavItem("回访", "feedback:callback_list", frozenset({Role.DUTY_OFFICER})),
    NavItem("回音卡", "feedback:card_overview", frozenset({Role.DUTY_OFFICER})),
    NavItem("回音卡", "feedback:card_overview", frozenset({Role.OFFICER}), unit_head_only=True),
    NavItem("专题家访", "feedback:topic_visit_list", frozenset({Role.LEADER, Role.LEGAL, Role.EVALUATOR})),
    NavItem("联系区域", "visits:area_list", CASE_ROLES),
    NavItem("基础数据管理", "admin:index", frozenset({Role.ADMIN})),
    NavItem("角色与联系范围", "visits:security_user_list", frozenset({Role.SECURITY_ADMIN})),
    NavItem("审计日志", "visits:audit_list", frozenset({Role.AUDITOR})),
)


def nav_items_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [
        item
        for item in NAV_ITEMS
        if (user.role in item.roles and (user.is_unit_head or not item.unit_head_only)) or item.url_name == "home"
    ]
