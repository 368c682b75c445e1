from datetime import timedelta

from django import forms
from django.utils import timezone

from jingshi_jiafang.core.dates import BoundedDateField, earliest_date


class ReviewBuildForm(forms.Form):
    """生成某日通报 by hand: a day that is over (the morning job does yesterday by itself)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The window moves with today, so the field is made with the form, not when the module is imported.
        yesterday = timezone.localdate() - timedelta(days=1)
        self.fields["day"] = BoundedDateField(label="日期", first=earliest_date(), last=yesterday, initial=yesterday)
