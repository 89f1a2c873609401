"""A small fixed-window rate limiter on the cache (Redis in production, so every
gunicorn process shares the same counts)."""

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
        cache.add(key, 0, timeout=seconds + 1)
        counted.append((key, cache.incr(key) <= count))
    if all(ok for _, ok in counted):
        return True
    for key, _ in counted:
        cache.decr(key)
    return False
