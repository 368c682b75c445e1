"""Service teams are reference data (which village, which officer leads it): the system administrator founds
them here. Members and activities are recorded by the police on the team page, not here."""

from django.contrib import admin

from jingshi_jiafang.core.admin import ReferenceDataAdmin
from ledger.models import ServiceTeam


@admin.register(ServiceTeam)
class ServiceTeamAdmin(ReferenceDataAdmin):
    list_display = ["name", "area", "leader"]
    search_fields = ["name", "area__name"]
    autocomplete_fields = ["area", "leader"]
    list_select_related = ["area", "leader"]
