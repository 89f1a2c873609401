"""The fixed-window limiter on the real cache (Redis under CI): counts, refusals that
are taken back, and a counter that vanishes mid-count (evicted or flushed)."""

from django.core.cache import cache

from posts import ratelimit

LIMITS = [(2, 60)]


def test_the_third_action_in_a_window_is_refused_and_taken_back():
    assert ratelimit.allow("test", 1, LIMITS)
    assert ratelimit.allow("test", 1, LIMITS)
    assert not ratelimit.allow("test", 1, LIMITS)
    assert not ratelimit.allow("test", 1, LIMITS)  # a refusal does not count
    assert ratelimit.allow("test", 2, LIMITS)  # someone else is not held back


def test_a_counter_evicted_between_add_and_incr_counts_this_action_as_the_first(monkeypatch):
    real_add = cache.add

    def add_then_evict(key, *args, **kwargs):  # Redis drops the key right after
        added = real_add(key, *args, **kwargs)
        cache.delete(key)
        return added

    monkeypatch.setattr(cache, "add", add_then_evict)
    assert ratelimit.allow("test", 1, LIMITS)
    monkeypatch.undo()
    # The window goes on counting from there: one more is allowed, then refused.
    assert ratelimit.allow("test", 1, LIMITS)
    assert not ratelimit.allow("test", 1, LIMITS)


def test_a_refusal_whose_counter_vanished_is_still_a_refusal(monkeypatch):
    assert ratelimit.allow("test", 1, [(0, 60), (5, 3600)]) is False
    real_incr = cache.incr

    def incr_then_flush(key, *args, **kwargs):
        value = real_incr(key, *args, **kwargs)
        cache.clear()  # gone before the refusal is taken back
        return value

    monkeypatch.setattr(cache, "incr", incr_then_flush)
    assert ratelimit.allow("test", 1, [(0, 60)]) is False
