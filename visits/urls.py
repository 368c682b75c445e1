from django.urls import path

from visits.views import attachments, audit, coverage, exports, households, night, security, visiting

app_name = "visits"

urlpatterns = [
    path("households/", households.household_list, name="household_list"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("households/<int:pk>/officer/", households.household_assign, name="household_assign"),
    path("households/<int:pk>/reveal/", households.household_reveal, name="household_reveal"),
    path("households/<int:pk>/attachments/", attachments.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path("households/<int:pk>/visits/new/", visiting.visit_create, name="visit_create"),
    path("visits/<int:pk>/", visiting.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/reveal/", visiting.visit_reveal, name="visit_reveal"),
    path("diary/", visiting.diary, name="diary"),
    path("night/plans/", night.night_plan, name="night_plan"),
    path("night/plans/add/", night.night_plan_add, name="night_plan_add"),
    path("night/plans/<int:pk>/remove/", night.night_plan_remove, name="night_plan_remove"),
    path("night/compliance/", night.night_compliance, name="night_compliance"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("areas/", households.area_list, name="area_list"),
    path("areas/<int:pk>/", households.area_detail, name="area_detail"),
    path("security/users/", security.security_user_list, name="security_user_list"),
    path("security/users/<int:pk>/", security.security_user_detail, name="security_user_detail"),
    path("security/users/<int:pk>/role/", security.security_user_role, name="security_user_role"),
    path("security/users/<int:pk>/unit/", security.security_user_unit, name="security_user_unit"),
    path("security/users/<int:pk>/links/", security.security_area_link_add, name="security_area_link_add"),
    path("security/links/<int:pk>/end/", security.security_area_link_end, name="security_area_link_end"),
    path("security/users/<int:pk>/otp-reset/", security.security_otp_reset, name="security_otp_reset"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("exports/", exports.export_job_list, name="export_job_list"),
    path("exports/<int:pk>/download/", exports.export_job_download, name="export_job_download"),
]
