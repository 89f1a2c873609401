"""A small fixed-window rate limiter on the cache (Redis in production, so every
gunicorn process shares the same counts)."""

import contextlib
import time

from django.core.cache import cache


def allow(scope: str, ident: object, limits: list[tuple[int, int]]) -> bool:
    """Count one action for `ident`; False when any (count, seconds) window is full.

    Counting first and comparing the counts the cache returns keeps parallel
    requests honest; an action refused is taken back, so a fan who waits gets in.
    """
    now = int(time.time())
    counted = []
    for count, seconds in limits:
        key = f"rl:{scope}:{ident}:{seconds}:{now // seconds}"
        counted.append((key, _count(key, seconds + 1) <= count))
    if all(ok for _, ok in counted):
        return True
    for key, _ in counted:
        with contextlib.suppress(ValueError):  # gone meanwhile: nothing to take back
            cache.decr(key)
    return False


def _count(key: str, timeout: int) -> int:
    """Add one to the window's counter. A key evicted or flushed between `add` and
    `incr` makes `incr` raise ValueError: then this action is the window's first."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=timeout)
        return 1
