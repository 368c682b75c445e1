"""Settings of the system under `make faults`: the project's own (local.py, DEBUG off) on the private PostgreSQL
and Redis the script starts. Only the beat's schedule differs, and only for the two-beats case
(FAULTS_FAST_BEAT=1): the morning jobs every few seconds instead of once a day, so that two beats queue each
many times within the case; each must still take effect once per period (the day)."""

from celery.schedules import schedule

from jingshi_jiafang.settings.env import env_bool, env_int
from jingshi_jiafang.settings.local import *  # noqa: F403

DEBUG = False

if env_bool("FAULTS_FAST_BEAT", False):
    every = schedule(env_int("FAULTS_BEAT_EVERY", 2))
    CELERY_BEAT_SCHEDULE = {
        name: {**CELERY_BEAT_SCHEDULE[name], "schedule": every}  # noqa: F405
        for name in ("create-callbacks", "daily-review", "audit-verify-nightly", "reconcile-jobs")
    }

# A task left unacknowledged by a worker killed whole is delivered again once the visibility timeout has passed,
# found by the worker's periodic sweep of Redis (kombu: every interval × throttle seconds, 100 s by default).
# The run's timeout is seconds, so the sweep is made as frequent; production keeps kombu's defaults.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": env_int("FAULTS_RESTORE_INTERVAL", 2),
    "unacked_restore_throttle": 1,
}
