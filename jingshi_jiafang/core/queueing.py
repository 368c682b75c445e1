"""Queueing a Celery task once the transaction that made its work commits."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

log = logging.getLogger(__name__)


def queue_after_commit(task, *args) -> None:
    """Queue `task(*args)` after the commit. A broker that is down fails the queueing, not the request that made
    the work: the row is saved, the page answers, and the reconciler (evaluation/services/reconcile.py) queues it
    again once the work has waited its grace. OSError: the development broker's folder (var/celery) missing."""

    def send() -> None:
        try:
            task.delay(*args)
        except (BrokerError, OSError):
            log.exception("Could not queue %s%r: the broker is unreachable", task.name, args)

    transaction.on_commit(send)
