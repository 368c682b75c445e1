from .cards import CardBatch, CardSequence, EchoCard, EchoCardEvent
from .classification import TopicModel, TopicMonth
from .matters import Category, Matter, MatterEvent, MatterHandover, QueryPassword
from .talkroom import DutyShift, TalkRoomCallback
from .topic import TopicVisit, TopicVisitMatter

__all__ = [
    "CardBatch",
    "CardSequence",
    "Category",
    "DutyShift",
    "EchoCard",
    "EchoCardEvent",
    "Matter",
    "MatterEvent",
    "MatterHandover",
    "QueryPassword",
    "TalkRoomCallback",
    "TopicModel",
    "TopicMonth",
    "TopicVisit",
    "TopicVisitMatter",
]
