from functools import partial

from django.conf import settings
from django.utils.functional import LazyObject, empty

from jingshi_jiafang.core.capabilities import CapabilitiesOf
from jingshi_jiafang.navigation import entries_of, household_list_title, nav_menu_for, role_label


def _user(request):
    """The user behind `request.user`'s lazy wrappers (django.contrib.auth's, and django-otp's around it): the
    menu and `may` ask it some hundred questions on every page, and each passed through both wrappers.
    None for an error page rendered for a request that never reached the authentication middleware."""
    user = getattr(request, "user", None)
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def navigation(request):
    user = _user(request)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": []}
    # Pages name the household list and the user's role as the menu and the header do. The role label may read
    # the user's unit: a callable, so that a page that does not show it does not pay the query.
    menu = nav_menu_for(user)
    return {
        "nav_items": entries_of(menu),
        "nav_menu": menu,
        "household_list_title": household_list_title(user),
        "role_label": partial(role_label, user),
    }


def bureau(request):
    """The bureau's name, wherever a page names it (the login page, the residents' pages): one setting."""
    return {"bureau_name": settings.BUREAU_NAME}


def capabilities(request):
    """`may` in every template: `{% if may.lead_topic_visits %}` asks the same capability as the view."""
    user = _user(request)
    return {"may": CapabilitiesOf(user) if user is not None else None}
