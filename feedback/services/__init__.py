"""Every write of the feedback app. Split by subject; import from here."""

from .cards import card_batch_issue, card_batch_issue_once, card_batch_sheet, card_echo, card_hand_out, card_void
from .classification import (
    matter_topic_confirm,
    month_of,
    topic_model_train,
    topic_month_close,
    topics_classify_month,
)
from .intake import query_password_reissue
from .matters import (
    MatterError,
    escalate_overdue_matters,
    matter_analyse,
    matter_close,
    matter_dispatch,
    matter_escalate,
    matter_hand_over,
    matter_merge,
    matter_phone_reveal,
    matter_progress,
    matter_rate_answer,
    matter_reassign,
    matter_register,
    matter_reopen,
    matter_send_back,
    matter_start,
)
from .talkroom import callback_record, duty_shift_add, walk_in_register
from .topic import FeedbackError, topic_visit_add_matters, topic_visit_create, topic_visit_record_solution

__all__ = [
    "FeedbackError",
    "MatterError",
    "callback_record",
    "card_batch_issue",
    "card_batch_issue_once",
    "card_batch_sheet",
    "card_echo",
    "card_hand_out",
    "card_void",
    "duty_shift_add",
    "escalate_overdue_matters",
    "matter_analyse",
    "matter_close",
    "matter_dispatch",
    "matter_reassign",
    "matter_escalate",
    "matter_hand_over",
    "matter_merge",
    "matter_phone_reveal",
    "matter_progress",
    "matter_rate_answer",
    "matter_register",
    "matter_reopen",
    "matter_send_back",
    "matter_start",
    "matter_topic_confirm",
    "month_of",
    "query_password_reissue",
    "topic_model_train",
    "topic_month_close",
    "topic_visit_add_matters",
    "topic_visit_create",
    "topic_visit_record_solution",
    "topics_classify_month",
    "walk_in_register",
]
