"""pytest. The database comes from DATABASE_URL like everywhere else (SQLite by default, PostgreSQL in CI)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# django-axes logs every login at INFO; in tests that is noise.
LOGGING["loggers"] = {"axes": {"level": "WARNING"}}  # noqa: F405

# Each test starts with empty rate-limit counters (tests/conftest.py clears it); never the CI Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process per test run, so its own cache is shared by all it runs: the household list is kept, as in production.
HOUSEHOLD_LIST_CACHE_SECONDS = 300
