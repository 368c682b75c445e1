from django import template

from jingshi_jiafang.core import capabilities
from jingshi_jiafang.core.privacy import correction_text, mask_id_number, mask_phone, reveal_of_item

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


@register.filter
def may_reveal(user, field: str) -> bool:
    return capabilities.may_reveal(user, field)


@register.simple_tag
def correction_line(correction, revealed: str = "") -> str:
    return correction_text(correction, revealed)


register.filter("reveal_of_item", reveal_of_item)
