"""Settings of the gunicorn that `make bench` measures: the test settings, plus a trivial page behind the same
middleware (session, login, second factor) as every page, the floor that "my households" is compared with."""

from jingshi_jiafang.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
