"""The night-visit window (警民夜谈): which evenings and which hour, configurable per county in settings."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

WEEKDAY_NAMES = "一二三四五六日"


def _window() -> tuple[time, time]:
    return time.fromisoformat(settings.NIGHT_VISIT_START), time.fromisoformat(settings.NIGHT_VISIT_END)


def is_night_date(day: date) -> bool:
    return day.weekday() in settings.NIGHT_VISIT_WEEKDAYS


def window_text() -> str:
    start, end = _window()
    days = "、".join(WEEKDAY_NAMES[d] for d in sorted(settings.NIGHT_VISIT_WEEKDAYS))
    return f"每周{days}晚 {start:%H:%M}–{end:%H:%M}"


def window_attrs() -> dict[str, str]:
    """The window for a page's script, weekdays numbered as Python's (Monday 0): a visit form kept on the phone
    is shown again hours later, and static/js/offline.js picks its kind anew by the same rule as the server."""
    start, end = _window()
    weekdays = ",".join(str(day) for day in sorted(settings.NIGHT_VISIT_WEEKDAYS))
    return {"data-night-weekdays": weekdays, "data-night-start": f"{start:%H:%M}", "data-night-end": f"{end:%H:%M}"}


def night_window_error(moment: datetime) -> str | None:
    """None when `moment` starts a night visit inside the window, otherwise a message saying the window."""
    local = timezone.localtime(moment)
    start, end = _window()
    if is_night_date(local.date()) and start <= local.time() <= end:
        return None
    return f"夜访须在{window_text()}开始;{local:%m月%d日 %H:%M}不在夜访时间内。请改为昼访,或核对走访时间。"


def evening_window(day: date) -> tuple[datetime, datetime]:
    """`day`'s night-visit hour, as the moments it starts and ends."""
    start, end = _window()
    zone = timezone.get_current_timezone()
    return datetime.combine(day, start, zone), datetime.combine(day, end, zone)


def evening_is_over(day: date) -> bool:
    """Whether `day`'s night-visit hour has ended: a plan made for it now could only be missed."""
    now = timezone.localtime()
    return day < now.date() or (day == now.date() and now.time() > _window()[1])


def first_plannable_date() -> date:
    today = timezone.localdate()
    return today + timedelta(days=1) if evening_is_over(today) else today


def night_dates(first: date, weeks: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(weeks * 7) if is_night_date(first + timedelta(days=n))]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def next_night_date(day: date) -> date:
    """The first night-visit evening on or after `day` (`day` itself when no weekday is configured)."""
    return next((day + timedelta(days=n) for n in range(7) if is_night_date(day + timedelta(days=n))), day)
