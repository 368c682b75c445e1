from .attachments import HouseholdAttachment
from .audit import AuditEntry, AuditVerification
from .exports import ExportJob
from .imports import ImportChange, ImportCorrection, ImportProblem, ImportRun
from .jobs import JobRun
from .organisation import Area, Household, Organisation, Unit
from .people import AreaLink, HouseholdLink, OrganisationLink, PairingLink, User

__all__ = [
    "Area",
    "AreaLink",
    "AuditEntry",
    "AuditVerification",
    "ExportJob",
    "Household",
    "HouseholdAttachment",
    "HouseholdLink",
    "ImportChange",
    "ImportCorrection",
    "ImportProblem",
    "ImportRun",
    "Organisation",
    "JobRun",
    "Organisation",
    "OrganisationLink",
    "PairingLink",
    "Unit",
    "User",
]
