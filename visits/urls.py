from django.urls import path

from visits.views import attachments, coverage, households, night, visiting

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
]
