from django.urls import path

from evaluation.views import scores

app_name = "evaluation"

urlpatterns = [
    path("evaluation/scores/", scores.score_ranking, name="score_ranking"),
    path("evaluation/scores/mine/", scores.my_scores, name="my_scores"),
    path("evaluation/scores/weights/", scores.score_weights, name="score_weights"),
    path("evaluation/scores/months/close/", scores.score_month_close_view, name="score_month_close"),
    path("evaluation/scores/months/recompute/", scores.score_month_recompute_view, name="score_month_recompute"),
    path("evaluation/scores/<int:pk>/", scores.score_detail, name="score_detail"),
    path("evaluation/scores/<int:pk>/<slug:metric>/", scores.score_records, name="score_records"),
]
