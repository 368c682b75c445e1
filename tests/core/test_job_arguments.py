"""Every job's command refuses a mistyped day or month before doing any work, saying the format to use."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("command", "option", "value", "format_"),
    [
        ("create_callbacks", "--date", "2026-13-01", "YYYY-MM-DD"),
        ("run_daily_review", "--date", "yesterday", "YYYY-MM-DD"),
        ("escalate_overdue_matters", "--date", "2026/11/01", "YYYY-MM-DD"),
        ("expire_exports", "--date", "", "YYYY-MM-DD"),
        ("refresh_summaries", "--from", "2026-02-30", "YYYY-MM-DD"),
        ("classify_month", "--date", "11-01", "YYYY-MM-DD"),
        ("classify_month", "--month", "2026-13", "YYYY-MM"),
        ("compute_scores", "--month", "2026-1-1", "YYYY-MM"),
    ],
)
def test_a_mistyped_date_is_refused_with_the_format(command, option, value, format_):
    with pytest.raises(CommandError, match=f"{option}: '{value}' is not a (date|month): use {format_}$"):
        call_command(command, option, value)
