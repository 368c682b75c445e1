"""A long query read ahead of its consumer, by a thread on a database connection of its own.

Writing a workbook from 100,000 rows is mostly Python's work, and the database's work on the rows (a report's
per-row subqueries) is not small either. Read in the same thread, the two take turns: Python waits while PostgreSQL
works out the next chunk, PostgreSQL waits while Python writes this one. A thread that fetches the next chunk while
the caller writes this one lets them work at once, on two cores; the thread mostly waits on its socket, which does
not hold Python's GIL.

Only where a second connection sees what the caller's sees: on PostgreSQL, and outside a transaction (an export
job, the bench). Inside one (a test, a caller's atomic block) its rows might not be visible to another connection,
so the rows are read in the caller's thread, as `queryset.iterator()` reads them.
"""

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connections, transaction
from django.db.models import QuerySet

_DONE = object()
_CHUNKS_AHEAD = 2  # chunks held at once: memory stays that of a few chunks however long the query


def reads_ahead(queryset: QuerySet) -> bool:
    """Whether `read_ahead` reads `queryset` in a thread of its own."""
    connection = connections[queryset.db]
    return connection.vendor == "postgresql" and not connection.in_atomic_block


@contextmanager
def read_ahead(queryset: QuerySet, *, chunk_size: int, settings_sql: Sequence[str] = ()) -> Iterator[Iterator]:
    """`with read_ahead(queryset, chunk_size=2000) as rows: for row in rows: ...` — the rows of
    `queryset.iterator(chunk_size)`, fetched ahead by a thread where `reads_ahead` says so. `settings_sql`
    (`SET LOCAL …` statements) is run first in the reading transaction. An error in the thread is raised in
    the caller; leaving the block early stops the thread."""
    if not reads_ahead(queryset):
        yield queryset.iterator(chunk_size=chunk_size)
        return
    chunks: queue.Queue = queue.Queue(maxsize=_CHUNKS_AHEAD)
    stop = threading.Event()

    def hand(item) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            # In a transaction the cursor is fetched chunk by chunk; in autocommit PostgreSQL would work out
            # the whole result before its first row (a cursor WITH HOLD), and there would be nothing to overlap.
            with transaction.atomic(using=queryset.db):
                with connections[queryset.db].cursor() as cursor:
                    for sql in settings_sql:
                        cursor.execute(sql)
                chunk = []
                for row in queryset.iterator(chunk_size=chunk_size):
                    chunk.append(row)
                    if len(chunk) == chunk_size:
                        if not hand(chunk):
                            return
                        chunk = []
                if hand(chunk):
                    hand(_DONE)
        except BaseException as error:  # noqa: BLE001 (handed to the caller, who raises it)
            hand(error)
        finally:
            connections[queryset.db].close()  # this thread's own connection

    def rows() -> Iterator:
        while True:
            try:
                item = chunks.get(timeout=1)
            except queue.Empty:
                if not thread.is_alive():
                    raise RuntimeError("The thread reading the rows ended without handing them over.") from None
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item

    thread = threading.Thread(target=read, name="read-ahead", daemon=True)
    thread.start()
    try:
        yield rows()
    finally:
        stop.set()
        thread.join()
