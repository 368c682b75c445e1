from .items import Ledger, LedgerEvidence, LedgerItem, LedgerItemEvent
from .pairing import PairingContact
from .teams import ServiceTeam, TeamActivity, TeamMember

__all__ = [
    "Ledger",
    "LedgerEvidence",
    "LedgerItem",
    "LedgerItemEvent",
    "PairingContact",
    "ServiceTeam",
    "TeamActivity",
    "TeamMember",
]
