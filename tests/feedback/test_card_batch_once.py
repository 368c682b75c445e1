"""Issuing a batch of echo cards is one batch per issue form: a double tap or a resend of the same form (its
submission key) lands on the batch the first one issued, even when both arrive at the same moment."""

import uuid

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import CardBatch, CardSequence, EchoCard
from feedback.services.cards import CardError
from tests.conftest import log_in_as, run_at_once
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def _issue_form(client):
    """The issue form as the overview page gives it: its fields, with the key it was shown with."""
    form = client.get(reverse("feedback:card_overview")).context["issue_form"]
    return {"submission_key": str(form.initial["submission_key"]), "count": 5}


def test_a_double_tap_of_the_issue_form_issues_one_batch(client, bob, station_a):
    log_in_as(client, bob)
    data = {**_issue_form(client), "unit": station_a.pk}
    first = client.post(reverse("feedback:card_batch_issue"), data)
    batch = CardBatch.objects.get()
    assert first["Location"] == batch.get_absolute_url()
    again = client.post(reverse("feedback:card_batch_issue"), data)
    assert again["Location"] == batch.get_absolute_url()  # the same sheet to print
    assert CardBatch.objects.count() == 1 and EchoCard.objects.count() == 5
    # The print sheet has no messages; the overview says what happened to each tap.
    overview = client.get(reverse("feedback:card_overview")).content.decode()
    assert "已制卡 5 张" in overview and "这张表单已经提交过,没有再制卡" in overview
    # The next form shown is a new one: it issues the next numbers, with no gap.
    client.post(reverse("feedback:card_batch_issue"), {**_issue_form(client), "unit": station_a.pk})
    assert sorted(EchoCard.objects.values_list("sequence", flat=True)) == list(range(1, 11))


def test_the_overview_shows_a_new_key_each_time(client, bob):
    log_in_as(client, bob)
    assert _issue_form(client)["submission_key"] != _issue_form(client)["submission_key"]


def test_a_form_without_its_key_is_refused_with_a_clear_message(client, bob, station_a):
    log_in_as(client, bob)
    response = client.post(reverse("feedback:card_batch_issue"), {"unit": station_a.pk, "count": 5}, follow=True)
    assert "页面已过期,请刷新回音卡页面后重新制卡。" in response.content.decode()
    assert not CardBatch.objects.exists()


def test_someone_elses_key_issues_nothing_and_shows_nothing(bob, station_a):
    key = uuid.uuid4()
    services.card_batch_issue_once(submission_key=key, unit=station_a, count=2, actor=bob)
    colleague = UserFactory(unit=station_a, is_unit_head=True)
    with pytest.raises(CardError, match="已经提交过"):
        services.card_batch_issue_once(submission_key=key, unit=station_a, count=2, actor=colleague)
    assert EchoCard.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_form_at_the_same_moment_issue_one_batch_and_leave_no_gap(station_a):
    head = UserFactory(unit=station_a, is_unit_head=True)
    key = uuid.uuid4()

    def submit(_):
        return services.card_batch_issue_once(submission_key=key, unit=station_a, count=25, actor=head)

    results = run_at_once(submit, [1, 2, 3])
    assert not [r for r in results if isinstance(r, Exception)], results
    batch = CardBatch.objects.get()
    assert sorted(created for _, created in results) == [False, False, True]
    assert {returned.pk for returned, _ in results} == {batch.pk}
    assert sorted(EchoCard.objects.values_list("sequence", flat=True)) == list(range(1, 26))
    # The counter the losers moved was rolled back with them: the next batch follows on without a gap.
    assert CardSequence.objects.get(unit=station_a).next_value == 26
    services.card_batch_issue(unit=station_a, count=1, actor=head)
    assert EchoCard.objects.order_by("-sequence").first().sequence == 26
