"""Polling for tests that watch real processes (browser, Celery worker, the whole stack)."""

import time


def wait_for(predicate, timeout: float, what: str = "condition", interval: float = 0.1):
    """Call `predicate` until it returns something truthy (and return that), or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
