"""The refusals of the ledger app: their messages are shown to the user as they are."""

from jingshi_jiafang.core.errors import DomainError


class LedgerError(DomainError):
    """A step a ledger item may not take now, or a request its rules refuse."""
