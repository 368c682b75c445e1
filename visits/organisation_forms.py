"""The visit form for an organisation (单位走访): the household form without the household — no registration
facts to correct, no night talk — with the same time window, findings and requests."""

import uuid
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from jingshi_jiafang.core.dates import local_minute
from visits.visit_forms import VisitForm


class OrganisationVisitForm(VisitForm):
    # The household's facts and the registration items are a household's: removed here.
    head_name = None
    address = None
    phone = None
    members_count = None

    class Meta(VisitForm.Meta):
        fields = ["visited_at", "people_met", "opinions", "result"]

    def __init__(self, *args, **kwargs):
        initial = {
            "submission_key": uuid.uuid4(),
            "visited_at": timezone.localtime().replace(second=0, microsecond=0),
        }
        # VisitForm's own __init__ fills in a household; the model form's is all this one needs.
        forms.ModelForm.__init__(self, *args, initial=initial, **kwargs)
        now = timezone.now()
        hours = settings.VISIT_LATE_ENTRY_HOURS
        self.fields["visited_at"].help_text = f"可补录 {hours} 小时内的走访。"
        self.fields["visited_at"].widget.attrs.update(
            min=local_minute(now - timedelta(hours=hours)), max=local_minute(now)
        )
        self.fields["people_met"].widget.attrs["placeholder"] = "如:校长、保卫科长"
