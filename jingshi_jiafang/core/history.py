"""History tables are append-only: a row, once written, is neither changed nor removed by any code path.

Like the audit log (visits/models/audit.py): the queryset refuses update and delete, and a row refuses to be
saved again or deleted. Loading and wiping demo data goes through bulk_create and SQL.
"""

from contextlib import contextmanager

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} is append-only.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} is append-only.")


class AppendOnly:
    """Mixed into a history model before models.Model, with `objects = AppendOnlyQuerySet.as_manager()`."""

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is append-only.")


@contextmanager
def recorded_times(*fields):
    """History written after the fact (the demo's, in bulk) keeps the times it happened at: auto_now(_add) is off
    while it is inserted."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
