"""Reference data for the system administrator: units, areas and user accounts.

Residents' data (households, their links) is deliberately not registered. Roles, unit-head status, a user's unit
and area links are the security administrator's (core/views/security.py): here they are read-only (三权分立).
A new account is given its unit here; it has no role, and so no scope, until the security administrator assigns one.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from jingshi_jiafang.core import accounts
from jingshi_jiafang.core.actors import SYSTEM_USERNAME
from jingshi_jiafang.core.capabilities import may_administer_reference_data
from jingshi_jiafang.core.forms import PhoneField
from jingshi_jiafang.core.models import Area, Unit, User
from jingshi_jiafang.core.services import reference_data_saved

admin.site.site_header = "警事家访 · 基础数据管理"
admin.site.site_title = "警事家访"
admin.site.index_title = "单位、区域和用户"


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data is the system administrator's by role, so access cannot drift from the role field."""

    def _is_reference_admin(self, request) -> bool:
        return may_administer_reference_data(request.user)

    def has_module_permission(self, request):
        return self._is_reference_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_reference_admin(request)

    def has_add_permission(self, request):
        return self._is_reference_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_reference_admin(request)

    def has_delete_permission(self, request, obj=None):
        # Units, areas and users are referenced by history; they are deactivated, never deleted.
        return False

    def save_model(self, request, obj, form, change):
        """Every change is audited (等保: the administrators' actions are recorded), field by field; the admin's
        save runs in one transaction with it."""
        before = type(obj).objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        reference_data_saved(obj=obj, before=before, form=form, actor=request.user, request=request)


@admin.register(Unit)
class UnitAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "kind", "parent", "phone"]
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


class _PersonFields:
    """A person's name is how every page names them, and their phone is dialled: both checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "name" in self.fields:
            self.fields["name"].required = True
        if "phone" in self.fields:  # as every form takes a phone: "138 1234 5678" is the same number
            field = self.fields["phone"]
            self.fields["phone"] = PhoneField(label=field.label, max_length=20, required=False)


class UserAdminChangeForm(_PersonFields, UserChangeForm):
    pass


class UserAdminCreationForm(_PersonFields, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(ReferenceDataAdmin, BaseUserAdmin):
    # Django's own add page says its one sentence in English (no zh-hans translation); ours says it in Chinese.
    add_form_template = "admin/core/user/add_form.html"
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ["username", "name", "role", "unit", "is_unit_head", "is_active"]
    list_filter = ["role", "is_unit_head", "is_active"]
    search_fields = ["username", "name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["name", "phone", "email"]}),
        ("岗位", {"fields": ["unit", "post", "role", "is_unit_head"]}),
        ("状态", {"fields": ["is_active", "must_change_password", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "name", "unit", "password1", "password2"]}),
    ]
    readonly_fields = ["role", "is_unit_head", "must_change_password", "last_login", "date_joined"]

    def get_queryset(self, request):
        # The system actor is the jobs' name in history: activating it or giving it a password would make it a login.
        return super().get_queryset(request).exclude(username=SYSTEM_USERNAME)

    def get_readonly_fields(self, request, obj=None):
        # The unit is scope: moving an existing user is audited, on the security administrator's pages.
        return [*self.readonly_fields, "unit"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:  # its own audit entry, which says the password is one its owner must change
            admin.ModelAdmin.save_model(self, request, obj, form, change)
            accounts.user_created_by_admin(user=obj, actor=request.user, request=request)

    def user_change_password(self, request, id, form_url=""):
        """A password the administrator sets is temporary: its owner must change it at the next login."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            accounts.user_password_reset_by_admin(
                user=self.get_object(request, id), actor=request.user, request=request
            )
        return response
