from .organisation import Area, Household, Organisation, Unit
from .people import AreaLink, HouseholdLink, OrganisationLink, User

__all__ = ["Area", "AreaLink", "Household", "HouseholdLink", "Organisation", "OrganisationLink", "Unit", "User"]
