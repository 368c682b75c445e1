from django import template

from visits.privacy import can_reveal, mask_id_number, mask_phone

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


@register.filter
def may_reveal(user, field: str) -> bool:
    return can_reveal(user, field)
