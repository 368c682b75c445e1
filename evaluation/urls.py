from django.urls import path

from evaluation.views import dashboard

app_name = "evaluation"

urlpatterns = [
    path("evaluation/dashboard/", dashboard.dashboard, name="dashboard"),
    path("evaluation/dashboard/wall/", dashboard.dashboard_wall, name="dashboard_wall"),
    path("evaluation/dashboard/areas/<int:pk>/", dashboard.dashboard, name="dashboard_area"),
    path("evaluation/dashboard/areas/<int:pk>/wall/", dashboard.dashboard_wall, name="dashboard_area_wall"),
]
