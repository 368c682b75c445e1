from django.apps import AppConfig


class TopLayerConfig(AppConfig):
    """The top layer: composes the apps. Core's export jobs cannot import the apps, so the kinds of export that
    read them (the monthly report) are registered here."""

    name = "jingshi_jiafang"
    verbose_name = "警事家访"

    def ready(self) -> None:
        from jingshi_jiafang.reports.exports import register

        register()
