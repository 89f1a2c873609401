"""Waiting, bounded, for what another thread or process (a Celery worker, a second
server) should do."""

import time


def wait_for(condition, seconds: float = 20.0, every: float = 0.05):
    """`condition()`'s first truthy result; fails the test when none comes in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds} s waiting for {condition.__name__}")
