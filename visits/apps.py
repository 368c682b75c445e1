from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "家访"

    def ready(self):
        from visits import auth_events  # noqa: F401  (connects the audit receivers)
