from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The platform every app builds on: people, the organisation and the land, links and scopes, the audit log,
    accounts and the second factor, the workflow engine, exports and uploads."""

    name = "jingshi_jiafang.core"
    label = "core"
    verbose_name = "基础平台"

    def ready(self):
        # auth_events connects the audit receivers as it is imported.
        from jingshi_jiafang.core import auth_events, household_list_cache  # noqa: F401

        household_list_cache.connect()
