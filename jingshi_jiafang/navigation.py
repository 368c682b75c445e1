"""The menu: each app's entries (filtered by role) in menu order, so menus and permissions cannot drift apart."""

from feedback import navigation as feedback_navigation
from jingshi_jiafang.core import navigation as core_navigation
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.navigation import ALL_ROLES, CASE_ROLES, NavItem, Role
from ledger import navigation as ledger_navigation
from visits import navigation as visits_navigation

# The household list is named by what it lists: an officer's own links, a unit's area, a linked area or the
# county. `household_list_title` reads the same entries, so the menu and the page's heading agree.
HOUSEHOLD_ITEMS = (
    NavItem("我的联系户", "households:household_list", frozenset({Role.OFFICER}), unit_head=False),
    NavItem("辖区住户", "households:household_list", frozenset({Role.OFFICER}), unit_head=True),
    NavItem("辖区住户", "households:household_list", frozenset({Role.DUTY_OFFICER})),
    NavItem("联系区域住户", "households:household_list", frozenset({Role.LEADER, Role.CADRE})),
    NavItem("全县住户", "households:household_list", frozenset({Role.LEGAL, Role.EVALUATOR})),
)

NAV_ITEMS = (
    NavItem("首页", "home", ALL_ROLES),
    *HOUSEHOLD_ITEMS,
    *visits_navigation.NAV_ITEMS,
    *feedback_navigation.NAV_ITEMS,
    *ledger_navigation.NAV_ITEMS,
    NavItem("联系区域", "households:area_list", CASE_ROLES),
    *core_navigation.NAV_ITEMS,
)


def nav_items_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if item.offered_to(user)]


def household_list_title(user: User) -> str:
    """What the household list is called for this user; a unit head or duty officer whose unit has no area
    (or any other role) still reads 辖区住户."""
    for item in HOUSEHOLD_ITEMS:
        if item.offered_to(user):
            return item.label
    return "辖区住户"
