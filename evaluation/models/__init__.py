from .callbacks import Callback, CallbackAttempt, Satisfaction
from .reviews import DailyReview

__all__ = ["Callback", "CallbackAttempt", "DailyReview", "Satisfaction"]
