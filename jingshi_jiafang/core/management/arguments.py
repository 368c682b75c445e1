"""Argument types of the job commands: every periodic job can be run by hand for a given day or month, and a
mistyped one is refused by argparse with the format to use, before any work starts."""

import argparse
from datetime import date


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None


def iso_month(value: str) -> date:
    """YYYY-MM as the first day of that month."""
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a month: use YYYY-MM") from None
