from datetime import date

from django.urls import path, register_converter

from evaluation.views import callbacks, dashboard, field_checks, questionnaires, reviews, scores

app_name = "evaluation"


class IsoDateConverter:
    """A day in a URL as YYYY-MM-DD; an impossible date (2026-02-30) does not match, so it is a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else value


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("evaluation/callbacks/", callbacks.callback_queue, name="callback_queue"),
    path("evaluation/callbacks/figures/", callbacks.callback_figures, name="callback_figures"),
    path("evaluation/callbacks/<int:pk>/", callbacks.callback_detail, name="callback_detail"),
    path("evaluation/callbacks/<int:pk>/call/", callbacks.callback_call, name="callback_call"),
    path("evaluation/callbacks/<int:pk>/record/", callbacks.callback_record, name="callback_record"),
    path("evaluation/callbacks/<int:pk>/matter/", callbacks.callback_raise_matter, name="callback_raise_matter"),
    path("evaluation/reviews/", reviews.review_list, name="review_list"),
    path("evaluation/reviews/build/", reviews.review_build, name="review_build"),
    path("evaluation/reviews/<isodate:day>/", reviews.review_detail, name="review_detail"),
    path("evaluation/reviews/<isodate:day>/rebuild/", reviews.review_rebuild, name="review_rebuild"),
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
    path("evaluation/dashboard/", dashboard.dashboard, name="dashboard"),
    path("evaluation/dashboard/wall/", dashboard.dashboard_wall, name="dashboard_wall"),
    path("evaluation/dashboard/areas/<int:pk>/", dashboard.dashboard, name="dashboard_area"),
    path("evaluation/dashboard/areas/<int:pk>/wall/", dashboard.dashboard_wall, name="dashboard_area_wall"),
    path("evaluation/scores/", scores.score_ranking, name="score_ranking"),
    path("evaluation/scores/mine/", scores.my_scores, name="my_scores"),
    path("evaluation/scores/weights/", scores.score_weights, name="score_weights"),
    path("evaluation/scores/months/close/", scores.score_month_close_view, name="score_month_close"),
    path("evaluation/scores/months/recompute/", scores.score_month_recompute_view, name="score_month_recompute"),
    path("evaluation/scores/<int:pk>/", scores.score_detail, name="score_detail"),
    path("evaluation/scores/<int:pk>/<slug:metric>/", scores.score_records, name="score_records"),
]
