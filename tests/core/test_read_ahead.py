"""read_ahead: the rows of a query, fetched by a thread on its own connection where that connection sees them."""

import threading

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.db.utils import ProgrammingError
from django.test.utils import CaptureQueriesContext

from jingshi_jiafang.core.models import Area
from jingshi_jiafang.core.read_ahead import read_ahead, reads_ahead
from tests.core.factories import TownFactory


def areas(count: int) -> list[int]:
    return [TownFactory(code=f"T{number:05d}").pk for number in range(count)]


def readers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "read-ahead"]


@pytest.mark.django_db
def test_inside_a_transaction_the_rows_are_read_in_the_callers_thread():
    """A test's (or a caller's) transaction holds rows another connection could not see yet."""
    expected = areas(5)
    queryset = Area.objects.filter(pk__in=expected).order_by("pk").values_list("pk", flat=True)
    assert not reads_ahead(queryset)
    with CaptureQueriesContext(connection) as captured, read_ahead(queryset, chunk_size=2) as rows:
        assert list(rows) == expected
    assert any('"core_area"' in query["sql"] for query in captured)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_thread_reads_the_rows_on_its_own_connection():
    expected = areas(25)
    queryset = Area.objects.filter(pk__in=expected).order_by("pk").values_list("pk", flat=True)
    assert reads_ahead(queryset)
    with CaptureQueriesContext(connection) as captured, read_ahead(queryset, chunk_size=4) as rows:
        assert list(rows) == expected
    assert not [query for query in captured if '"core_area"' in query["sql"]]  # none on the caller's connection
    assert not readers()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_settings_are_those_of_the_reading_transaction_only():
    areas(3)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        before = cursor.fetchone()[0]
    queryset = Area.objects.annotate(jit=RawSQL("current_setting('jit')", [])).values_list("jit", flat=True)
    with read_ahead(queryset, chunk_size=2, settings_sql=["SET LOCAL jit = off"]) as rows:
        assert set(rows) == {"off"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_error_in_the_thread_is_raised_in_the_caller():
    areas(3)
    queryset = Area.objects.annotate(broken=RawSQL("no_such_column", [])).values_list("broken", flat=True)
    with pytest.raises(ProgrammingError), read_ahead(queryset, chunk_size=2) as rows:
        list(rows)
    assert not readers()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_leaving_early_stops_the_thread():
    areas(30)
    queryset = Area.objects.order_by("pk").values_list("pk", flat=True)
    with read_ahead(queryset, chunk_size=2) as rows:
        next(rows)
    assert not readers()
