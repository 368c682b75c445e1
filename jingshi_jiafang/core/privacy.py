"""Residents' personal data on screen: masked by default, shown in full only by an explicit, audited action."""

import re

from jingshi_jiafang.core.audit import Action

# The audit entry each reveal writes; who may reveal which number is `core.capabilities.may_reveal`.
REVEAL_ACTIONS = {"id_number": Action.REVEAL_ID_NUMBER, "phone": Action.REVEAL_PHONE}


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


# Numbers a resident may write into the text of a matter: an ID number, a mobile, a landline with its area code.
# Digits on either side are excluded so a longer number (a reference, an amount) is not cut into a false match.
_NUMBERS_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})(?![0-9])")


def mask_numbers_in_text(text: str) -> str:
    """Free text with every ID or phone number in it masked, as a page or an export shows it: 找我 138****5678."""
    if not text:
        return ""

    def mask(match: re.Match) -> str:
        number = match[0]
        return mask_phone(number) if len(number) < 18 else mask_id_number(number)

    return _NUMBERS_IN_TEXT.sub(mask, text)


def mask_birth_date(value: str) -> str:
    """1965-**-**: the year stays (an age), the day that an ID number is built from goes."""
    return value[:4] + "-**-**" if len(value) >= 4 else "*" * len(value)


# Registration items that are personal data, with the reveal that shows them (the number of the same kind) and the
# mask they wear everywhere else: on the visit page, the household timeline, the diary and in exports.
PERSONAL_ITEMS = {
    "phone": ("phone", mask_phone),
    "head_id_number": ("id_number", mask_id_number),
    "birth_date": ("id_number", mask_birth_date),
}


def reveal_of_item(field: str) -> str:
    """The reveal (`phone`, `id_number`) that shows this registration item in full; "" when it is not personal."""
    return PERSONAL_ITEMS[field][0] if field in PERSONAL_ITEMS else ""


def item_value(field: str, value: str, revealed: str = "") -> str:
    """A registration item's value as shown: masked when personal, unless its reveal was asked for."""
    if not value:
        return "(空)"
    if field in PERSONAL_ITEMS and revealed != PERSONAL_ITEMS[field][0]:
        return PERSONAL_ITEMS[field][1](value)
    return value


def correction_text(correction, revealed: str = "") -> str:
    """联系电话 169****4324 → 137****1111: one registration correction as every page and export shows it."""
    field = correction.field
    old, new = item_value(field, correction.old_value, revealed), item_value(field, correction.new_value, revealed)
    if old == new and correction.old_value != correction.new_value:
        # The mask hides exactly what changed (1998-03-02 → 1998-08-12 reads 1998-**-** → 1998-**-**): say that
        # it was corrected rather than show a change that looks like none.
        return f"{correction.get_field_display()} 已更正({new})"
    return f"{correction.get_field_display()} {old} → {new}"
