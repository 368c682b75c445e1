from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "家访"
