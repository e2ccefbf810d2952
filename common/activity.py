"""When a driver last used the product: one marker shared by every process and host (issue 12, idle CPU).

The poll of central runs every CENTRAL_POLL_INTERVAL only while somebody needs it (central/sync/demand.py); a
driver reading the API or holding an event stream open is one such need. Every request of the web process
(config/activity.py) and every open stream of the events process (events/stream.py) marks it here.

The marker is a key in Django's default cache with a time-out of CENTRAL_POLL_ACTIVE_SECONDS: Redis wherever
REDIS_URL is set, so every process on every host sees the same one; files under var/ for `make run`'s embedded
stack, which is one machine. Its presence is the answer: no clock is compared between hosts. A process writes it
at most once per MARK_EVERY_SECONDS (in-process check first), so a busy web process costs the cache one write
every few seconds, not one per request. CENTRAL_POLL_ACTIVE_SECONDS = 0 turns the marking off (the test suite).
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)

# Per process: writes closer together than this are skipped. Well below CENTRAL_POLL_ACTIVE_SECONDS, so a driver
# who keeps using the product keeps the marker alive without a gap.
MARK_EVERY_SECONDS = 5.0

_lock = threading.Lock()
_marked_at: float | None = None  # time.monotonic() of this process's last write


def activity_key() -> str:
    # One marker per database: two deployments or test runs on one Redis never share it.
    return f"driver-dashboard:activity:{connections['default'].settings_dict['NAME']}"


def activity_tracked() -> bool:
    return settings.CENTRAL_POLL_ACTIVE_SECONDS > 0


def activity_mark_due() -> bool:
    """Would `activity_mark` write now? In-process only, no I/O (for callers that must hop to a thread first)."""
    if not activity_tracked():
        return False
    marked_at = _marked_at
    return marked_at is None or time.monotonic() - marked_at >= MARK_EVERY_SECONDS


def activity_mark() -> bool:
    """A driver uses the product now. Returns True when this ended an idle spell (no marker was there), so the
    caller may fetch a fresh picture at once; False otherwise, also when this process marked recently (nothing is
    written) or the cache failed (logged; the poll then runs at its idle pace until the next mark)."""
    global _marked_at
    with _lock:
        if not activity_mark_due():
            return False
        _marked_at = time.monotonic()
    key, seconds = activity_key(), settings.CENTRAL_POLL_ACTIVE_SECONDS
    try:
        if cache.add(key, time.time(), timeout=seconds):
            return True
        cache.set(key, time.time(), timeout=seconds)
    except Exception as exc:  # the cache (Redis) is down: a request must never fail for this
        logger.warning("could not mark driver activity: %s", exc)
    return False


def activity_forget_mark() -> None:
    """Forget when this process last wrote (tests; a new process starts so)."""
    global _marked_at
    with _lock:
        _marked_at = None
