"""Forms of the ledger app: items (items.py), pairing and service teams (pairing.py)."""

from .items import (
    DEFAULT_DEADLINE_DAYS,
    DeliverForm,
    EvidenceForm,
    ItemOpenForm,
    LedgerFilterForm,
    MultipleFileField,
    MultipleFileInput,
    ReopenForm,
    SendBackForm,
    StepForm,
)
from .pairing import PairingComplianceFilterForm, PairingContactForm, TeamActivityForm, TeamFoundForm, TeamMemberForm

__all__ = [
    "DEFAULT_DEADLINE_DAYS",
    "DeliverForm",
    "EvidenceForm",
    "ItemOpenForm",
    "LedgerFilterForm",
    "MultipleFileField",
    "MultipleFileInput",
    "PairingComplianceFilterForm",
    "PairingContactForm",
    "ReopenForm",
    "SendBackForm",
    "StepForm",
    "TeamActivityForm",
    "TeamFoundForm",
    "TeamMemberForm",
]
