from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from visits import selectors
from visits.filters import HouseholdFilter
from visits.models import User
from visits.pagination import paginate
from visits.scopes import get_area_for_user, get_household_for_user

_HOME_TEMPLATES = {role: f"visits/home_{role}.html" for role in User.Role}


@login_required
def home(request):
    user = request.user
    context = {
        "summary": selectors.scope_summary(user=user),
        "area_links": selectors.area_links_of(user=user),
    }
    return render(request, _HOME_TEMPLATES[user.role], context)


@login_required
def household_list(request):
    areas = selectors.visible_area_choices(user=request.user)
    household_filter = HouseholdFilter(
        request.GET or None, queryset=selectors.household_list(user=request.user), areas=areas
    )
    context = {"filter": household_filter, **paginate(request, household_filter.qs)}
    return render(request, "visits/household_list.html", context)


@login_required
def household_detail(request, pk: int):
    household = get_household_for_user(request.user, pk)
    links = selectors.household_link_history(household=household)
    return render(request, "visits/household_detail.html", {"household": household, "links": links})


@login_required
def area_list(request):
    villages = selectors.villages_with_household_counts(user=request.user)
    return render(request, "visits/area_list.html", paginate(request, villages))


@login_required
def area_detail(request, pk: int):
    area = get_area_for_user(request.user, pk)
    town = area if area.is_town else None
    villages = selectors.villages_with_household_counts(user=request.user, town=town) if town else None
    return render(request, "visits/area_detail.html", {"area": area, "villages": villages})
