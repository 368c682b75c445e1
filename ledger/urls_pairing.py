"""URLs of the pairing and service-team pages (the ledger items add theirs beside these at merge)."""

from django.urls import path

from ledger.views import pairing, teams

app_name = "ledger"

urlpatterns = [
    path("pairing/", pairing.pairing_compliance, name="pairing_compliance"),
    path("pairing/contact/", pairing.pairing_contact_create, name="pairing_contact_create"),
    path("teams/", teams.team_list, name="team_list"),
    path("teams/<int:pk>/", teams.team_detail, name="team_detail"),
    path("teams/<int:pk>/reveal/", teams.team_reveal, name="team_reveal"),
    path("teams/<int:pk>/members/", teams.team_member_create, name="team_member_create"),
    path("teams/<int:pk>/activities/new/", teams.team_activity_create, name="team_activity_create"),
]
