"""Menu entries. Each app lists its own (`NAV_ITEMS` in its navigation.py), filtered by role; the top layer
puts the lists together in menu order (jingshi_jiafang/navigation.py)."""

from dataclasses import dataclass

from django.urls import reverse

from jingshi_jiafang.core.models import User

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
    NavItem("基础数据管理", "admin:index", frozenset({Role.ADMIN})),
    NavItem("角色与联系范围", "core:security_user_list", frozenset({Role.SECURITY_ADMIN})),
    NavItem("审计日志", "core:audit_list", frozenset({Role.AUDITOR})),
    NavItem("我的导出", "core:export_job_list", frozenset({Role.AUDITOR})),
)
