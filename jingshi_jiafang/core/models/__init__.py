from .attachments import HouseholdAttachment
from .audit import AuditEntry
from .organisation import Area, Household, Organisation, Unit
from .people import AreaLink, HouseholdLink, OrganisationLink, User

__all__ = [
    "Area",
    "AreaLink",
    "AuditEntry",
    "Household",
    "HouseholdAttachment",
    "HouseholdLink",
    "Organisation",
    "OrganisationLink",
    "Unit",
    "User",
]
