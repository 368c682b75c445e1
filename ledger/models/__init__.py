from .pairing import PairingContact
from .teams import ServiceTeam, TeamActivity, TeamMember

__all__ = ["PairingContact", "ServiceTeam", "TeamActivity", "TeamMember"]
