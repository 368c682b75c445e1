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
    # None: whether or not the user heads a unit; True: unit heads only; False: everybody but unit heads.
    unit_head: bool | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def offered_to(self, user: User) -> bool:
        return user.role in self.roles and self.unit_head in (None, user.is_unit_head)


NAV_ITEMS = (
    NavItem("首页", "home", ALL_ROLES),
    # The household list is named by what it lists: an officer's own links, a unit's area, a linked area or the
    # county. `household_list_title` reads the same entries, so the menu and the page's heading agree.
    NavItem("我的联系户", "visits:household_list", frozenset({Role.OFFICER}), unit_head=False),
    NavItem("辖区住户", "visits:household_list", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("辖区住户", "visits:household_list", frozenset({Role.DUTY_OFFICER})),
    NavItem("联系区域住户", "visits:household_list", frozenset({Role.LEADER, Role.CADRE})),
    NavItem("全县住户", "visits:household_list", frozenset({Role.LEGAL, Role.EVALUATOR})),
    NavItem("民情日记", "visits:diary", frozenset({Role.OFFICER, Role.CADRE, Role.LEADER})),
    NavItem("夜访安排", "visits:night_plan", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("夜访考核", "visits:night_compliance", frozenset({Role.LEADER, Role.EVALUATOR, Role.LEGAL})),
    NavItem("夜访考核", "visits:night_compliance", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("走访覆盖", "visits:coverage", frozenset({Role.LEADER, Role.CADRE, Role.EVALUATOR, Role.LEGAL})),
    NavItem("走访覆盖", "visits:coverage", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("诉求", "feedback:matter_list", CASE_ROLES),
    NavItem("说事厅接待", "feedback:walk_in", frozenset({Role.DUTY_OFFICER})),
    NavItem("值班表", "feedback:roster", frozenset({Role.DUTY_OFFICER})),
    NavItem("值班表", "feedback:roster", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("回访", "feedback:callback_list", frozenset({Role.DUTY_OFFICER})),
    NavItem("回音卡", "feedback:card_overview", frozenset({Role.DUTY_OFFICER})),
    NavItem("回音卡", "feedback:card_overview", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("专题家访", "feedback:topic_visit_list", frozenset({Role.LEADER, Role.LEGAL, Role.EVALUATOR})),
    NavItem("联系区域", "visits:area_list", CASE_ROLES),
    NavItem("基础数据管理", "admin:index", frozenset({Role.ADMIN})),
    NavItem("角色与联系范围", "visits:security_user_list", frozenset({Role.SECURITY_ADMIN})),
    NavItem("审计日志", "visits:audit_list", frozenset({Role.AUDITOR})),
    NavItem("我的导出", "visits:export_job_list", frozenset({Role.AUDITOR})),
)


def nav_items_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if item.offered_to(user) or item.url_name == "home"]


def household_list_title(user: User) -> str:
    """What the household list is called for this user; a unit head or duty officer whose unit has no area
    (or any other role) still reads 辖区住户."""
    for item in NAV_ITEMS:
        if item.url_name == "visits:household_list" and item.offered_to(user):
            return item.label
    return "辖区住户"
