"""Every write of the ledger app. Split by subject (items; pairing contacts and service teams in their own
modules, imported from there); import item services from here."""

from ledger.errors import LedgerError

from .items import (
    ledger_item_close,
    ledger_item_deliver,
    ledger_item_evidence_add,
    ledger_item_follow_matter,
    ledger_item_for_topic_solution,
    ledger_item_matter_closed,
    ledger_item_matter_reopened,
    ledger_item_matter_sent_back,
    ledger_item_matter_started,
    ledger_item_open,
    ledger_item_open_for_matter,
    ledger_item_open_once,
    ledger_item_register,
    ledger_item_reopen,
    ledger_item_send_back,
    ledger_items_follow_hand_overs,
    ledger_items_hand_over,
)

__all__ = [
    "LedgerError",
    "ledger_item_close",
    "ledger_item_deliver",
    "ledger_item_evidence_add",
    "ledger_item_follow_matter",
    "ledger_item_for_topic_solution",
    "ledger_item_matter_closed",
    "ledger_item_matter_reopened",
    "ledger_item_matter_sent_back",
    "ledger_item_matter_started",
    "ledger_item_open",
    "ledger_item_open_for_matter",
    "ledger_item_open_once",
    "ledger_item_register",
    "ledger_item_reopen",
    "ledger_item_send_back",
    "ledger_items_follow_hand_overs",
    "ledger_items_hand_over",
]
