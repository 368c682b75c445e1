from jingshi_jiafang.core.capabilities import CapabilitiesOf
from jingshi_jiafang.navigation import nav_items_for


def navigation(request):
    # An error page can be rendered for a request that never reached the authentication middleware.
    user = getattr(request, "user", None)
    return {"nav_items": nav_items_for(user) if user is not None else []}


def capabilities(request):
    """`may` in every template: `{% if may.lead_topic_visits %}` asks the same capability as the view."""
    user = getattr(request, "user", None)
    return {"may": CapabilitiesOf(user) if user is not None else None}
