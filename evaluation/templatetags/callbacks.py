from django import template

from evaluation.selectors.callbacks import callback_phone
from jingshi_jiafang.core.privacy import mask_phone

register = template.Library()


@register.filter
def masked_phone(callback) -> str:
    """The number called, masked: it is shown in full only by the audited 拨打电话."""
    return mask_phone(callback_phone(callback)) or "未登记电话"
