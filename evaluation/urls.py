from django.urls import path

from evaluation.views import field_checks, questionnaires

app_name = "evaluation"

urlpatterns = [
    path("evaluation/questionnaires/", questionnaires.questionnaire_list, name="questionnaire_list"),
    path("evaluation/questionnaires/new/", questionnaires.questionnaire_create, name="questionnaire_create"),
    path("evaluation/questionnaires/<int:pk>/", questionnaires.questionnaire_detail, name="questionnaire_detail"),
    path("evaluation/questionnaires/<int:pk>/calls/", questionnaires.questionnaire_calls, name="questionnaire_calls"),
    path(
        "evaluation/questionnaires/<int:pk>/results/",
        questionnaires.questionnaire_results,
        name="questionnaire_results",
    ),
    path(
        "evaluation/questionnaires/samples/<int:pk>/", questionnaires.questionnaire_answer, name="questionnaire_answer"
    ),
    path(
        "evaluation/questionnaires/samples/<int:pk>/reveal/",
        questionnaires.questionnaire_reveal,
        name="questionnaire_reveal",
    ),
    path("evaluation/field-checks/", field_checks.field_check_list, name="field_check_list"),
    path("evaluation/field-checks/visits/<int:pk>/", field_checks.field_check_for_visit, name="field_check_for_visit"),
    path(
        "evaluation/field-checks/ledger-items/<int:pk>/",
        field_checks.field_check_for_ledger_item,
        name="field_check_for_ledger_item",
    ),
]
