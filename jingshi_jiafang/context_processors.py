from functools import partial

from django.conf import settings

from jingshi_jiafang.core.capabilities import CapabilitiesOf
from jingshi_jiafang.navigation import household_list_title, nav_items_for, nav_menu_for, role_label


def navigation(request):
    # An error page can be rendered for a request that never reached the authentication middleware.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": []}
    # Pages name the household list and the user's role as the menu and the header do. The role label may read
    # the user's unit: a callable, so that a page that does not show it does not pay the query.
    return {
        "nav_items": nav_items_for(user),
        "nav_menu": nav_menu_for(user),
        "household_list_title": household_list_title(user),
        "role_label": partial(role_label, user),
    }


def bureau(request):
    """The bureau's name, wherever a page names it (the login page, the residents' pages): one setting."""
    return {"bureau_name": settings.BUREAU_NAME}


def capabilities(request):
    """`may` in every template: `{% if may.lead_topic_visits %}` asks the same capability as the view."""
    user = getattr(request, "user", None)
    return {"may": CapabilitiesOf(user) if user is not None else None}
