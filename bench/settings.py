"""Settings of the gunicorn that `make bench` measures: the test settings, plus a trivial page behind the same
middleware (session, login, second factor) as every page, the floor that "my households" is compared with."""

from jingshi_jiafang.settings.test import *  # noqa: F403
from jingshi_jiafang.settings.test import DATABASES

ROOT_URLCONF = "bench.urls"

# Kept open between requests, as production keeps them (settings/production.py): a connection opened per request
# costs every page the same few milliseconds and made the pages look closer to the trivial one than they are.
DATABASES["default"]["CONN_MAX_AGE"] = 60
