from django.urls import path

from evaluation.views import callbacks

app_name = "evaluation"

urlpatterns: list = [
    path("evaluation/callbacks/", callbacks.callback_queue, name="callback_queue"),
    path("evaluation/callbacks/figures/", callbacks.callback_figures, name="callback_figures"),
    path("evaluation/callbacks/<int:pk>/", callbacks.callback_detail, name="callback_detail"),
    path("evaluation/callbacks/<int:pk>/call/", callbacks.callback_call, name="callback_call"),
    path("evaluation/callbacks/<int:pk>/record/", callbacks.callback_record, name="callback_record"),
    path("evaluation/callbacks/<int:pk>/matter/", callbacks.callback_raise_matter, name="callback_raise_matter"),
]
