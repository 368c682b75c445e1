"""Reference data for the system administrator: units, areas, users and area links.

Households and their links hold residents' personal data and are deliberately not registered here.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from visits.models import Area, AreaLink, Unit, User
from visits.services import LinkError, area_link_check


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data is the system administrator's by role, so access cannot drift from the role field."""

    def _is_reference_admin(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.role == User.Role.ADMIN)

    def has_module_permission(self, request):
        return self._is_reference_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_reference_admin(request)

    def has_add_permission(self, request):
        return self._is_reference_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_reference_admin(request)

    def has_delete_permission(self, request, obj=None):
        # Units, areas, users and links are referenced by history; they are ended or deactivated, never deleted.
        return False


class AreaLinkForm(forms.ModelForm):
    class Meta:
        model = AreaLink
        fields = ["user", "area", "start_date", "end_date"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("user") and cleaned.get("area"):
            try:
                area_link_check(user=cleaned["user"], area=cleaned["area"])
            except LinkError as error:
                raise forms.ValidationError(str(error)) from error
        return cleaned


@admin.register(Unit)
class UnitAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Area)
class AreaAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "kind", "parent", "unit"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "unit"]
    list_select_related = ["parent", "unit"]


@admin.register(User)
class UserAdmin(ReferenceDataAdmin, BaseUserAdmin):
    list_display = ["username", "name", "role", "unit", "is_unit_head", "is_active"]
    list_filter = ["role", "is_unit_head", "is_active"]
    search_fields = ["username", "name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["name", "phone", "email"]}),
        ("岗位", {"fields": ["role", "unit", "post", "is_unit_head"]}),
        ("状态", {"fields": ["is_active", "is_staff", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "name", "role", "unit", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(AreaLink)
class AreaLinkAdmin(ReferenceDataAdmin):
    form = AreaLinkForm
    list_display = ["user", "area", "start_date", "end_date"]
    list_filter = ["area__kind"]
    search_fields = ["user__name", "user__username", "area__name"]
    autocomplete_fields = ["user", "area"]
    list_select_related = ["user", "area"]
