"""A fixed-window limit on failed attempts, in the cache (Redis in production, so all gunicorn workers share the
count). Only failures count: what stops guessing is the number of wrong guesses, and a person who gets it right
again and again must never be locked out by their own use."""

import math
import time

from django.core.cache import cache

from jingshi_jiafang.core.audit import client_ip


def _key(request, scope: str) -> str:
    return f"ratelimit:{scope}:{client_ip(request) or 'unknown'}"


def failures_exhausted(request, *, scope: str, limit: int) -> bool:
    """Whether this address has used up the window's failed attempts (counting nothing)."""
    return (cache.get(_key(request, scope)) or 0) >= limit


def failure_record(request, *, scope: str, window: int) -> None:
    """Count one failed attempt of this address; the first failure opens the window."""
    key = _key(request, scope)
    if cache.add(key, 1, timeout=window):
        cache.set(f"{key}:since", time.time(), timeout=window)
        return
    try:
        cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=window)
        cache.set(f"{key}:since", time.time(), timeout=window)


def seconds_until_reset(request, *, scope: str, window: int) -> int:
    """How long until this address's window closes and its failures are forgotten."""
    since = cache.get(f"{_key(request, scope)}:since")
    if since is None:
        return window
    return max(1, math.ceil(since + window - time.time()))
