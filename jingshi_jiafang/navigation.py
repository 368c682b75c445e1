"""The menu: each app's entries (filtered by role) in menu order, so menus and permissions cannot drift apart."""

from dataclasses import dataclass

from evaluation import navigation as evaluation_navigation
from feedback import navigation as feedback_navigation
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core import navigation as core_navigation
from jingshi_jiafang.core.models import Unit, User
from jingshi_jiafang.core.navigation import NavItem, anyone_with_a_role
from jingshi_jiafang.reports import navigation as reports_navigation
from ledger import navigation as ledger_navigation
from visits import navigation as visits_navigation

# The household list is named by what it lists: an officer's own links, a unit's area, a linked area or the
# county. `household_list_title` reads the same entries, so the menu and the page's heading agree.
HOUSEHOLD_ITEMS = (
    NavItem("我的联系户", "households:household_list", can.sees_own_households_only),
    NavItem("辖区住户", "households:household_list", can.sees_unit_area),
    NavItem("联系区域住户", "households:household_list", can.may_hold_area_links),
    NavItem("全县住户", "households:household_list", can.sees_whole_county),
)

# Each app's entries make one menu (走访, 群众诉求, 台账, 回访考核): a leader is offered some twenty entries, which no
# bar holds; a menu with a single entry for this user shows as that entry.
MENUS = (
    (
        "",
        (
            NavItem("首页", "home", anyone_with_a_role),
            *HOUSEHOLD_ITEMS,
            # Beside the households: the organisations (单位) an officer is linked to, visited as households are.
            NavItem("联系单位", "visits:organisation_list", can.may_be_linked_to_households),
            NavItem("未分配住户", "households:unlinked_list", can.may_reassign_households),
        ),
    ),
    ("走访", visits_navigation.NAV_ITEMS),
    ("群众诉求", (*feedback_navigation.NAV_ITEMS, *reports_navigation.NAV_ITEMS)),
    ("台账", ledger_navigation.NAV_ITEMS),
    ("回访考核", evaluation_navigation.NAV_ITEMS),
    ("", (NavItem("联系区域", "households:area_list", can.may_read_residents_data), *core_navigation.NAV_ITEMS)),
)
NAV_ITEMS = tuple(item for _, items in MENUS for item in items)


@dataclass(frozen=True)
class Menu:
    label: str
    items: list[NavItem]


def entries_of(menu: list[NavItem | Menu]) -> list[NavItem]:
    """Every entry of the bar, those in its drop-downs included, in menu order."""
    return [item for entry in menu for item in (entry.items if isinstance(entry, Menu) else [entry])]


def nav_menu_for(user: User) -> list[NavItem | Menu]:
    """The bar: entries, and a drop-down per app where the user is offered more than one of its entries."""
    if not user.is_authenticated:
        return []
    bar: list[NavItem | Menu] = []
    for label, items in MENUS:
        offered = [item for item in items if item.offered_to(user)]
        if label and len(offered) > 1:
            bar.append(Menu(label, offered))
        else:
            bar += offered
    return bar


def household_list_title(user: User) -> str:
    """What the household list is called for this user; a unit head or duty officer whose unit has no area
    (or any other role) still reads 辖区住户."""
    for item in HOUSEHOLD_ITEMS:
        if item.offered_to(user):
            return item.label
    return "辖区住户"


# A unit head is called by the unit he heads, the way the station speaks of him, not by the officer's role.
UNIT_HEAD_LABELS = {
    Unit.Kind.STATION: "派出所所长",
    Unit.Kind.POLICE_ROOM: "警务室负责人",
    Unit.Kind.DEPARTMENT: "部门负责人",
}


def role_label(user: User) -> str:
    """One label for who the user is at work, shown once beside the name (header, home page)."""
    if can.may_head_unit(user):
        return UNIT_HEAD_LABELS.get(user.unit.kind, "单位负责人")
    return user.get_role_display() or "未分配角色"
