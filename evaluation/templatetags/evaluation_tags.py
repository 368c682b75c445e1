"""What the evaluation centre found about a visit or a closed matter, shown on its page: the officer sees why a
visit counts as false, the station whether a matter's resident was called back (visits and feedback import no
evaluation, so their pages ask here)."""

from datetime import timedelta

from django import template
from django.utils import timezone

from evaluation.models import Callback
from feedback.models import Matter

register = template.Library()


@register.inclusion_tag("evaluation/_visit_checks.html")
def visit_checks(visit):
    callback = Callback.objects.filter(visit=visit, state=Callback.State.DONE).select_related("done_by").first()
    return {"callback": callback, "field_checks": list(visit.field_checks.select_related("checked_by"))}


@register.inclusion_tag("evaluation/_matter_callback.html")
def matter_callback(matter):
    """The evaluation centre's next-day callback of a closed matter, as the station and the handler read it on the
    matter's page: the latest one made, or, for the closing still to be called back, when it will be made, or why
    none will be (no phone to call: the rule `callbacks_create` makes them by)."""
    closed = matter.state == Matter.State.CLOSED
    callback = Callback.objects.filter(matter=matter).select_related("done_by").order_by("-source_date", "-pk").first()
    closed_on = timezone.localdate(matter.closed_at) if closed and matter.closed_at else None
    uncalled = closed_on is not None and (callback is None or callback.source_date < closed_on)
    no_phone = uncalled and not matter.contact_phone
    return {
        "matter": matter,
        "callback": callback,
        "no_phone": no_phone,
        # The morning job calls back the day before's closings: one closed today or yesterday is still to come.
        "soon": uncalled and not no_phone and closed_on >= timezone.localdate() - timedelta(days=1),
        "earlier": uncalled,
    }
