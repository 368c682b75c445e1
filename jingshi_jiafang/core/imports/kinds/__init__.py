"""The kinds of import, in the order a county is moved in: the organisation and the land by the system
administrator, then the people and their links by the security administrator."""

from jingshi_jiafang.core.models import User

from .base import Column, ImportKind
from .households import HouseholdKind
from .links import LinkKind
from .organisations import OrganisationKind
from .tree import AreaKind, UnitKind
from .users import UserKind

KINDS: dict[str, type[ImportKind]] = {
    kind.kind: kind for kind in (UnitKind, AreaKind, HouseholdKind, OrganisationKind, UserKind, LinkKind)
}


def import_kind(kind: str, actor: User | None = None) -> ImportKind:
    return KINDS[kind](actor)


def kinds_for(user: User) -> list[ImportKind]:
    """The kinds this person may import, in order."""
    return [cls(user) for cls in KINDS.values() if cls.may(user)]


def kinds_of_others(user: User) -> str:
    """Who imports the kinds this person may not, and when, in a line for the import page."""
    mine = {cls for cls in KINDS.values() if cls.may(user)}
    if mine == {UserKind, LinkKind}:
        return "单位、区域、住户和辖区单位由系统管理员导入,请在其导入之后再导入用户账号和联系关系。"
    if UserKind not in mine:
        return "用户账号和联系关系由安全管理员导入,在您导入单位、区域、住户和辖区单位之后进行。"
    return ""


__all__ = ["KINDS", "Column", "ImportKind", "import_kind", "kinds_for", "kinds_of_others"]
