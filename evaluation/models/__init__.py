from .callbacks import Callback, CallbackAttempt, Satisfaction

__all__ = ["Callback", "CallbackAttempt", "Satisfaction"]
