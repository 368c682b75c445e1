from datetime import date

from django import forms

from jingshi_jiafang.core.models import Area, User
from jingshi_jiafang.core.scopes import unit_subtree, villages_visible_to
from visits.night import WEEKDAY_NAMES, first_plannable_date, night_dates


def _evening(day: date) -> str:
    # As the plan list writes it (date filter "n月j日 l").
    return f"{day.month}月{day.day}日 星期{WEEKDAY_NAMES[day.weekday()]}"


class NightPlanForm(forms.Form):
    date = forms.TypedChoiceField(
        label="夜访日期", coerce=date.fromisoformat, error_messages={"required": "请选择夜访日期。"}
    )
    officer = forms.ModelChoiceField(
        label="民警", queryset=User.objects.none(), error_messages={"required": "请选择夜访的民警。"}
    )
    village = forms.ModelChoiceField(
        label="村/居", queryset=Area.objects.none(), error_messages={"required": "请选择夜访的村/居。"}
    )

    def __init__(self, *args, planner: User, **kwargs):
        super().__init__(*args, **kwargs)
        dates = night_dates(first_plannable_date(), weeks=4)
        self.fields["date"].choices = [(d.isoformat(), _evening(d)) for d in dates]
        self.fields["officer"].queryset = User.objects.filter(
            role=User.Role.OFFICER, unit__in=unit_subtree(planner.unit), is_active=True
        ).order_by("name")
        self.fields["village"].queryset = villages_visible_to(planner).select_related("parent").order_by("code")
        self.fields["village"].label_from_instance = lambda area: area.full_name
