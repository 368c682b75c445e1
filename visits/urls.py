from django.urls import path

from visits.views import coverage, night, organisations, visiting

app_name = "visits"

urlpatterns = [
    path("households/<int:pk>/visits/new/", visiting.visit_create, name="visit_create"),
    path("visits/<int:pk>/", visiting.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/reveal/", visiting.visit_reveal, name="visit_reveal"),
    path("diary/", visiting.diary, name="diary"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<int:pk>/visits/new/", organisations.organisation_visit_create, name="organisation_visit_create"
    ),
    path("night/plans/", night.night_plan, name="night_plan"),
    path("night/plans/add/", night.night_plan_add, name="night_plan_add"),
    path("night/plans/<int:pk>/remove/", night.night_plan_remove, name="night_plan_remove"),
    path("night/compliance/", night.night_compliance, name="night_compliance"),
    path("coverage/", coverage.coverage, name="coverage"),
]
