"""Which visits and registration corrections a user may see, on top of core's household scopes: a visit is
visible with its household, and a visitor always sees their own."""

from django.db.models import Q, QuerySet
from django.http import Http404

from jingshi_jiafang.core.capabilities import may_plan_night_visits
from jingshi_jiafang.core.models import Household, Organisation, User
from jingshi_jiafang.core.scopes import (
    households_visible_to,
    households_visitable_by,
    organisations_visible_to,
    organisations_visitable_by,
    unit_subtree,
)
from visits.models import NightVisitPlan, RegistrationCorrection, Visit


def get_household_for_visit(user: User, pk: int) -> Household:
    try:
        return households_visitable_by(user).select_related("village__parent", "village__unit").get(pk=pk)
    except Household.DoesNotExist:
        raise Http404("没有找到该户,或您无权走访。") from None


def get_organisation_for_visit(user: User, pk: int) -> Organisation:
    try:
        return organisations_visitable_by(user).select_related("village__parent", "village__unit").get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404("没有找到该单位,或您无权走访。") from None


def visits_visible_to(user: User) -> QuerySet[Visit]:
    """A visit is visible with its household or organisation; a visitor always sees their own."""
    return Visit.objects.filter(
        Q(household__in=households_visible_to(user).values("pk"))
        | Q(organisation__in=organisations_visible_to(user).values("pk"))
        | Q(visitor=user)
    )


def get_visit_for_user(user: User, pk: int) -> Visit:
    try:
        return (
            visits_visible_to(user)
            .select_related("household__village__parent", "organisation__village__parent", "visitor")
            .get(pk=pk)
        )
    except Visit.DoesNotExist:
        raise Http404("没有找到该走访记录,或您无权查看。") from None


def corrections_visible_to(user: User) -> QuerySet[RegistrationCorrection]:
    """Registration corrections carry the household's data (old and new values): visible with the household."""
    return RegistrationCorrection.objects.filter(household__in=households_visible_to(user).values("pk"))


def get_night_plan_for_planner(user: User, pk: int) -> NightVisitPlan:
    """A night-visit plan of the planner's unit (or a unit under it), for the unit head who may change it."""
    if not may_plan_night_visits(user):
        raise Http404("没有找到该夜访安排。")
    try:
        return NightVisitPlan.objects.select_related("village__parent").get(pk=pk, unit__in=unit_subtree(user.unit))
    except NightVisitPlan.DoesNotExist:
        raise Http404("没有找到该夜访安排。") from None
