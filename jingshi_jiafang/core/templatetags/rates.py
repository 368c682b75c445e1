"""A part of a whole in per cent, to one decimal as the dashboard's figures are: Django's widthratio rounds to
whole numbers, so one village read 4.6% on the dashboard and 5% on 走访覆盖."""

from django import template

register = template.Library()


@register.filter
def percent_of(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{round(100 * part / whole, 1)}%"
