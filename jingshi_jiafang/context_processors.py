from django.conf import settings

from jingshi_jiafang.navigation import nav_items_for


def navigation(request):
    # An error page can be rendered for a request that never reached the authentication middleware.
    user = getattr(request, "user", None)
    return {"nav_items": nav_items_for(user) if user is not None else []}


def bureau(request):
    """The bureau's name, wherever a page names it (the login page, the residents' pages): one setting."""
    return {"bureau_name": settings.BUREAU_NAME}
