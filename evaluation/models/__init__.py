from .callbacks import Callback, CallbackAttempt, Satisfaction
from .scores import Metric, Score, ScoreComponent, ScoreMonth, ScoreWeight, SubjectKind

__all__ = [
    "Callback",
    "CallbackAttempt",
    "Metric",
    "Satisfaction",
    "Score",
    "ScoreComponent",
    "ScoreMonth",
    "ScoreWeight",
    "SubjectKind",
]
