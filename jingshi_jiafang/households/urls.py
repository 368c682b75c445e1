"""The household and area pages: core's people and land, with what every app recorded about them."""

from django.urls import path

from jingshi_jiafang.households import assignment, attachments, views

app_name = "households"

urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/officer/", views.household_assign, name="household_assign"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<int:pk>/attachments/", attachments.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path("households/unlinked/", assignment.unlinked_village_list, name="unlinked_list"),
    path("households/unlinked/<int:pk>/", assignment.unlinked_village, name="unlinked_village"),
    path("households/unlinked/<int:pk>/assign/", assignment.unlinked_assign, name="unlinked_assign"),
    path("areas/", views.area_list, name="area_list"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
]
