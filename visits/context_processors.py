from visits.navigation import nav_items_for


def navigation(request):
    return {"nav_items": nav_items_for(request.user)}
