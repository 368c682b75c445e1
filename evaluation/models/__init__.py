from .callbacks import Callback, CallbackAttempt, Satisfaction
from .summaries import UnitDaySummary, VillageDaySummary

__all__ = ["Callback", "CallbackAttempt", "Satisfaction", "UnitDaySummary", "VillageDaySummary"]
