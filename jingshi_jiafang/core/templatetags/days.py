"""How long ago, in whole days: what an officer weighs against 到期(超N天). Django's timesince wrote
“1 月，3 周”, which answers neither."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def days_ago(value: datetime | None) -> str:
    if value is None:
        return ""
    days = (timezone.localdate() - timezone.localtime(value).date()).days
    if days <= 0:
        return "今天"
    if days == 1:
        return "昨天"
    return f"{days} 天前"
