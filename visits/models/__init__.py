from .visits import Finding, NightVisitPlan, RegistrationCorrection, Visit

__all__ = ["Finding", "NightVisitPlan", "RegistrationCorrection", "Visit"]
