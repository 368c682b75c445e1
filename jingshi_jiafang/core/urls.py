from django.urls import path

from jingshi_jiafang.core.views import audit, exports, imports, security

app_name = "core"

urlpatterns = [
    path("security/users/", security.security_user_list, name="security_user_list"),
    path("security/users/<int:pk>/", security.security_user_detail, name="security_user_detail"),
    path("security/users/<int:pk>/role/", security.security_user_role, name="security_user_role"),
    path("security/users/<int:pk>/unit/", security.security_user_unit, name="security_user_unit"),
    path("security/users/<int:pk>/links/", security.security_area_link_add, name="security_area_link_add"),
    path("security/links/<int:pk>/end/", security.security_area_link_end, name="security_area_link_end"),
    path("security/users/<int:pk>/pairing/", security.security_pairing_add, name="security_pairing_add"),
    path("security/users/<int:pk>/otp-reset/", security.security_otp_reset, name="security_otp_reset"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("exports/", exports.export_job_list, name="export_job_list"),
    path("exports/<int:pk>/download/", exports.export_job_download, name="export_job_download"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/templates/<slug:kind>/", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/problems/", imports.import_problems_download, name="import_problems_download"),
]
