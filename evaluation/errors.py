"""The refusals of the evaluation centre: their messages are shown to the user as they are."""

from jingshi_jiafang.core.errors import DomainError


class CallbackError(DomainError):
    """A callback that cannot be recorded now (already done, not yet due), or an answer its rules refuse."""
