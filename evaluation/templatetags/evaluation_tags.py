"""What the evaluation centre found about a visit, shown on the visit's page: the officer sees why a visit counts
as false (visits import no evaluation, so its page asks here)."""

from django import template

from evaluation.models import Callback

register = template.Library()


@register.inclusion_tag("evaluation/_visit_checks.html")
def visit_checks(visit):
    callback = Callback.objects.filter(visit=visit, state=Callback.State.DONE).select_related("done_by").first()
    return {"callback": callback, "field_checks": list(visit.field_checks.select_related("checked_by"))}
