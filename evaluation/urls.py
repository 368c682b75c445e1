from django.urls import path  # noqa: F401  (each part of the evaluation centre adds its pages here)

app_name = "evaluation"

urlpatterns: list = []
