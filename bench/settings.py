"""Settings of the gunicorn that `make bench` measures: the test settings, plus a trivial page behind the same
middleware (session, login, second factor) as every page, the floor that "my households" is compared with."""

import os

from jingshi_jiafang.settings.test import *  # noqa: F403
from jingshi_jiafang.settings.test import DATABASES

ROOT_URLCONF = "bench.urls"

# Kept open between requests, as production keeps them (settings/production.py): a connection opened per request
# costs every page the same few milliseconds and made the pages look closer to the trivial one than they are.
DATABASES["default"]["CONN_MAX_AGE"] = 60

# The cache in Redis when there is one, as production keeps it (settings/base.py): the four workers share the
# officer's household list (core/household_list_cache.py). A prefix of the run's own, so no page of an earlier
# run on a database of the same name is read back.
if REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", "bench"),
        }
    }
