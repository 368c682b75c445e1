from .items import Ledger, LedgerEvidence, LedgerItem, LedgerItemEvent

__all__ = ["Ledger", "LedgerEvidence", "LedgerItem", "LedgerItemEvent"]
