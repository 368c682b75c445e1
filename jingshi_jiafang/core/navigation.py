"""Menu entries. Each app lists its own (`NAV_ITEMS` in its navigation.py), each offered to those a capability
(`core.capabilities`) admits, the same predicate the page checks; the top layer puts the lists together in menu
order (jingshi_jiafang/navigation.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, reverse

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.export_jobs import may_follow_exports
from jingshi_jiafang.core.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    # Who is offered the entry: a capability, or a small predicate made of them.
    may: Callable[[User], bool]

    @property
    def url(self) -> str:
        return _reversed(self.url_name, get_script_prefix())

    def offered_to(self, user: User) -> bool:
        return self.may(user)


@lru_cache(maxsize=128)
def _reversed(url_name: str, prefix: str) -> str:
    # The menu's addresses take no arguments: reversed once per process, not twice per entry on every page.
    return reverse(url_name)


def anyone_with_a_role(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role)


NAV_ITEMS = (
    NavItem("基础数据管理", "admin:index", can.may_administer_reference_data),
    NavItem("角色与联系范围", "core:security_user_list", can.may_administer_security),
    NavItem("数据导入", "core:import_list", can.may_import),
    NavItem("审计日志", "core:audit_list", can.may_read_audit_log),
    NavItem("我的导出", "core:export_job_list", may_follow_exports),
)
