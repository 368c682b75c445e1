"""What a visit's page offers of the feedback app: the echo card left at the household (visits import no
feedback, so the visit page asks here)."""

from django import template

from feedback.selectors import cards_to_hand_out

register = template.Library()


@register.simple_tag
def card_hand_out_offer(visit, user) -> str:
    """For the visitor of a household visit, what their units hold to hand out (`cards_to_hand_out`): "stock"
    offers 发放回音卡, "spent" says the cards are all handed out; "" for anyone else, or nothing ever issued."""
    if visit.household_id is None or visit.visitor_id != user.pk:
        return ""
    return cards_to_hand_out(actor=user)
