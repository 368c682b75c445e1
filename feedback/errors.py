"""The refusals of the feedback app: their messages are shown to the user as they are."""

from jingshi_jiafang.core.errors import DomainError


class MatterError(DomainError):
    """A step a resident's matter may not take now, or a request its rules refuse."""


class CardError(DomainError):
    """A card operation the rules do not allow."""


class CardUsedUp(CardError):
    """The matter that answers a card is closed: the card answers nothing more. `answer` is that matter."""

    def __init__(self, message: str, *, answer):
        super().__init__(message)
        self.answer = answer
