from .callbacks import Callback, CallbackAttempt, Satisfaction
from .field_checks import FieldCheck
from .questionnaires import (
    Answer,
    AnswerScale,
    Index,
    Method,
    Question,
    Questionnaire,
    QuestionnaireAttempt,
    QuestionnaireResponse,
    QuestionnaireTemplate,
    SampledHousehold,
    ScaleOption,
)
from .reviews import DailyReview
from .scores import Metric, Score, ScoreComponent, ScoreMonth, ScoreWeight, SubjectKind
from .summaries import UnitDaySummary, VillageDaySummary, VillageMonthSummary

__all__ = [
    "Answer",
    "AnswerScale",
    "Callback",
    "CallbackAttempt",
    "DailyReview",
    "FieldCheck",
    "Index",
    "Method",
    "Question",
    "Questionnaire",
    "QuestionnaireAttempt",
    "QuestionnaireResponse",
    "QuestionnaireTemplate",
    "SampledHousehold",
    "Satisfaction",
    "ScaleOption",
    "UnitDaySummary",
    "VillageDaySummary",
    "VillageMonthSummary",
    "SubjectKind",
    "ScoreWeight",
    "ScoreMonth",
    "ScoreComponent",
    "Score",
    "Metric",
]
