from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "回访考核"

    def ready(self) -> None:
        # The summary tables follow late and corrected visits (evaluation/receivers.py).
        from evaluation import receivers

        receivers.connect()
