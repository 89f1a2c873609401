"""A small fixed-window rate limiter on the cache (Redis in production, so every
gunicorn process shares the same counts)."""

import time

from django.core.cache import cache


def allow(scope: str, ident: object, limits: list[tuple[int, int]]) -> bool:
    """Count one action for `ident`; False when any (count, seconds) window is full.

    An action refused is not counted, so a fan who waits gets in again.
    """
    now = int(time.time())
    keys = [
        (f"rl:{scope}:{ident}:{seconds}:{now // seconds}", count, seconds)
        for count, seconds in limits
    ]
    for key, count, _ in keys:
        if (cache.get(key) or 0) >= count:
            return False
    for key, _, seconds in keys:
        cache.add(key, 0, timeout=seconds + 1)
        cache.incr(key)
    return True
