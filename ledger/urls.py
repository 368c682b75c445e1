from django.urls import path

from ledger.views import items, pairing, teams

app_name = "ledger"

urlpatterns = [
    path("ledger/", items.item_list, name="item_list"),
    path("ledger/mine/", items.my_items, name="my_items"),
    path("ledger/print/", items.ledger_print_filtered, name="ledger_print_filtered"),
    path("ledger/<int:pk>/print/", items.ledger_print, name="ledger_print"),
    path("ledger/items/<int:pk>/", items.item_detail, name="item_detail"),
    path("ledger/items/<int:pk>/<slug:action>/", items.item_act, name="item_act"),
    path("ledger/households/<int:pk>/new/", items.item_open_for_household, name="item_open_for_household"),
    path("ledger/visits/<int:pk>/new/", items.item_open_for_visit, name="item_open_for_visit"),
    path("ledger/evidence/<int:pk>/", items.evidence_download, name="evidence_download"),
    path("ledger/pairing/", pairing.pairing_compliance, name="pairing_compliance"),
    path("ledger/pairing/contact/", pairing.pairing_contact_create, name="pairing_contact_create"),
    path("ledger/teams/", teams.team_list, name="team_list"),
    path("ledger/teams/new/", teams.team_found_view, name="team_found"),
    path("ledger/teams/members/<int:pk>/leave/", teams.team_member_leave_view, name="team_member_leave"),
    path("ledger/teams/<int:pk>/", teams.team_detail, name="team_detail"),
    path("ledger/teams/<int:pk>/reveal/", teams.team_reveal, name="team_reveal"),
    path("ledger/teams/<int:pk>/members/", teams.team_member_create, name="team_member_create"),
    path("ledger/teams/<int:pk>/activities/new/", teams.team_activity_create, name="team_activity_create"),
]
