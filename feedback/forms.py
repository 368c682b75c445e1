from datetime import date

from django import forms

from feedback.models import Category, TopicVisit
from visits.models import User


class TopicVisitForm(forms.ModelForm):
    month = forms.DateField(
        label="月份", input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    )
    staff = forms.ModelMultipleChoiceField(
        label="参加人员",
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="按住 Ctrl 可多选。",
    )

    class Meta:
        model = TopicVisit
        fields = ["title", "category", "month", "departments", "staff"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, initial={"month": date.today().replace(day=1)}, **kwargs)
        self.fields["category"].choices = [c for c in Category.choices if c[0] != Category.OTHER]
        self.fields["staff"].queryset = (
            User.objects.filter(is_active=True).exclude(role="").order_by("unit__code", "name")
        )

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)


class AddMattersForm(forms.Form):
    matters = forms.ModelMultipleChoiceField(label="诉求", queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matters"].queryset = candidates


class SolutionForm(forms.Form):
    people_met = forms.CharField(label="见到的人", max_length=100, initial="户主本人")
    solution = forms.CharField(label="商定的解决办法", widget=forms.Textarea(attrs={"rows": 3}))
