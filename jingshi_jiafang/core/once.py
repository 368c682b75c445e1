"""One record per form sent: a form carries a submission key, unique on the record it makes, so a double tap on a
slow connection (or 后退 and sending again) makes the record once."""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

T = TypeVar("T")


def create_once(create: Callable[[], T], earlier: Callable[[], T | None]) -> tuple[T, bool]:
    """`create()` in a savepoint. Its key taken by the other request of a double tap (committed first: its insert
    made ours wait), `earlier()` finds what that request made. Returns (record, created)."""
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = earlier()
        if existing is None:
            raise
        return existing, False
