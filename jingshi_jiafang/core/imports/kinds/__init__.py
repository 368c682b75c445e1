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


__all__ = ["KINDS", "Column", "ImportKind", "import_kind", "kinds_for"]
