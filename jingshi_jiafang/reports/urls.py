from django.urls import path

from jingshi_jiafang.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/monthly/", views.monthly_report, name="monthly_report"),
]
