"""Residents' personal data on screen: masked by default, shown in full only by an explicit, audited action."""

from visits.models import User

Role = User.Role

# Who may see a number in full (for households in their scope): the ID number is for those who correct household
# registration data and handle cases; the phone is for everyone who visits or calls residents back.
REVEAL_ROLES = {
    "id_number": frozenset({Role.OFFICER, Role.DUTY_OFFICER, Role.LEGAL}),
    "phone": frozenset({Role.OFFICER, Role.DUTY_OFFICER, Role.CADRE, Role.LEADER, Role.LEGAL, Role.EVALUATOR}),
}


def can_reveal(user: User, field: str) -> bool:
    return user.role in REVEAL_ROLES.get(field, ())


def mask_id_number(value: str) -> str:
    """3213**********1234: region and check digits stay, the birth date and sequence go."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    """138****5678; a landline keeps its area code and last four digits."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    head = value.split("-")[0] + "-" if "-" in value else value[:3]
    return head + "*" * (len(value) - len(head) - 4) + value[-4:]
