"""A fixed-window rate limit in the cache (Redis in production, so all gunicorn workers share the count)."""

from django.core.cache import cache

from jingshi_jiafang.core.audit import client_ip


def within_limit(request, *, scope: str, limit: int, window: int) -> bool:
    """Count this request against its address; False once the address has used up the window's attempts."""
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
