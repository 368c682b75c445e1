from .coverage import CoverageCount, CoverageDay
from .visits import Finding, NightVisitPlan, RegistrationCorrection, Visit

__all__ = ["CoverageCount", "CoverageDay", "Finding", "NightVisitPlan", "RegistrationCorrection", "Visit"]
