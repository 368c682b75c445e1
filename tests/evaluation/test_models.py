import pytest
from django.db import IntegrityError, transaction

from evaluation.models import Callback
from tests.evaluation.factories import VisitCallbackFactory

pytestmark = pytest.mark.django_db


def test_a_visit_is_called_back_once():
    callback = VisitCallbackFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitCallbackFactory(visit=callback.visit)


def test_a_callback_names_exactly_one_source():
    callback = VisitCallbackFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.filter(pk=callback.pk).update(source=Callback.Source.MATTER)
