"""The demo county's callbacks: every visit of the period called back, answered as the evaluation centre would,
consistent with what the services write, and a fresh queue for today."""

from datetime import timedelta

import pytest
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Callback
from evaluation.selectors.callbacks import false_visits, queue_counts
from evaluation.services.callbacks import callbacks_create
from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.project.test_seed_demo import seed
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_the_demo_has_callbacks_with_results_and_a_queue_for_today(client):
    seed("--households", "400", "--days", "30")
    today = timezone.localdate()
    callbacks = Callback.objects.all()
    assert callbacks.filter(source="visit").count() == Visit.objects.filter(visited_at__date__lt=today).count()
    assert set(callbacks.values_list("state", flat=True)) == {"due", "done", "given_up"}
    assert set(callbacks.exclude(satisfaction="").values_list("satisfaction", flat=True)) == {
        "satisfied",
        "fairly_satisfied",
        "not_satisfied",
    }
    done = callbacks.filter(state="done")
    assert done.filter(satisfaction="satisfied").count() > done.count() / 2
    assert false_visits().count() >= 4
    # Each callback's attempts are its history rows; a done one has exactly one reached call.
    counted = callbacks.annotate(calls=Count("history")).exclude(calls=F("attempts"))
    assert not counted.exists()
    assert not done.annotate(reached=Count("history", filter=F("history__reached"))).exclude(reached=1).exists()
    counts = queue_counts(today=today)
    assert counts.due_today and counts.retries and counts.overdue
    # The job for a day the demo made changes nothing.
    assert callbacks_create(day=today - timedelta(days=1)) == 0
    log_in_as(client, User.objects.get(username="evaluator"))
    page = client.get(reverse("evaluation:callback_queue")).content.decode()
    assert page.count('data-testid="queue-row"') >= 3
    assert client.get(reverse("evaluation:callback_figures")).status_code == 200
