"""The ledger items a matter or a visit opened, as far as the reader may see them: a link to an item they cannot
open would be a 404 after a legitimate click (feedback and visits import no ledger, so their pages ask here)."""

from django import template

from ledger.scopes import ledger_items_visible_to

register = template.Library()


@register.simple_tag
def ledger_items_of(source, user):
    """`source` is a Matter or a Visit; the items it opened that `user` may open."""
    field = "matter" if source._meta.model_name == "matter" else "visit"
    return ledger_items_visible_to(user).filter(**{field: source}).select_related("responsible")
