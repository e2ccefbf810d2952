"""Honest wait estimates, from how long charges really last (no constant).

- **Typical session** at a point: the median duration (`completed_at − started_at`) of its last
  WAIT_HISTORY_SESSIONS finished sessions (COMPLETED or STOPPED). With fewer than WAIT_MIN_HISTORY of them, the
  median of recent finished sessions at points of the same power class (≤ 7.4 kW, ≤ 22 kW, ≤ 50 kW, more);
  with none there either, DEFAULT_SESSION_MINUTES.
- **`estimated_wait_minutes`** for a driver arriving now, rounded up to whole minutes: the expected remaining
  time of the session charging now (typical − minutes it has run, at least 1; only on an OCCUPIED point), plus
  one typical session for each driver waiting in the point's queue. A FREE point with nobody waiting: 0.
  OFFLINE: the queue's share only (when the point returns is unknown).

For a driver already waiting at position p: the rest of the session charging now (OCCUPIED) plus one typical
session for each of the p − 1 drivers ahead.

Two queries for any number of points: the recent durations per point (a window function), and per power class.
They were ~40 % of a `/charging-points` request, and their answer changes only when a session finishes (or a
ticket corrects a finished session's times), not with the point's status or queue: the typical length of each
point is kept in the cache (WAIT_CACHE_SECONDS) under a history version that every such write replaces, in its
process, at once and again after commit (`history_changed`). The wait itself (status, queue, the charge running
now, the clock) is still computed on every read from live rows.
"""

import logging
import math
import statistics
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.db.models.signals import post_delete, post_save

from chargingpoints.models import ChargingPoint, PointStatus
from events.versions import answer_holds_until
from sessions_app.models import ChargingSession
from sessions_app.signals import finished_session_corrected
from sessions_app.status import SessionStatus

logger = logging.getLogger(__name__)

TIMED_STATUSES = (SessionStatus.COMPLETED, SessionStatus.STOPPED)
POWER_CLASSES_KW = (7.4, 22.0, 50.0)
HISTORY_VERSION_KEY = "discovery:wait-history:version"


def power_class(power_kw: float) -> int:
    """0: slow AC (≤ 7.4 kW), 1: AC (≤ 22 kW), 2: DC (≤ 50 kW), 3: high-power DC."""
    return next((index for index, limit in enumerate(POWER_CLASSES_KW) if power_kw <= limit), len(POWER_CLASSES_KW))


def _recent_minutes(limit: int, **filters) -> list[tuple[int, float, float]]:
    """(point pk, point power, minutes) of the last `limit` finished sessions per point matching `filters`."""
    ranked = (
        ChargingSession.objects.filter(
            status__in=TIMED_STATUSES, started_at__isnull=False, completed_at__isnull=False, **filters
        )
        .annotate(rank=Window(RowNumber(), partition_by=[F("charging_point_id")], order_by=F("completed_at").desc()))
        .filter(rank__lte=limit)
        .values_list("charging_point_id", "charging_point__power_kw", "started_at", "completed_at")
    )
    return [(pk, power, (end - start).total_seconds() / 60) for pk, power, start, end in ranked if end > start]


def typical_minutes(points: list[ChargingPoint]) -> dict[int, float]:
    """The typical session length (minutes) at each point, by the rule of the module docstring: from the cache
    when the history has not changed since it was computed, else from the history (and then cached)."""
    if not points:
        return {}
    if not settings.WAIT_CACHE_SECONDS:
        return _typical_from_history(points)
    version = _cache_call("get", HISTORY_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add: two processes starting on an empty cache agree on the first version.
        _cache_call("add", HISTORY_VERSION_KEY, version, None)
        version = _cache_call("get", HISTORY_VERSION_KEY) or version
    keys = {point.pk: _typical_key(version, point) for point in points}
    found = _cache_call("get_many", list(keys.values())) or {}
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [point for point in points if point.pk not in result]
    if missing:
        computed = _typical_from_history(missing)
        _cache_call("set_many", {keys[pk]: minutes for pk, minutes in computed.items()}, settings.WAIT_CACHE_SECONDS)
        result.update(computed)
    return result


def history_changed() -> None:
    """The finished sessions changed (one ended, was corrected, deleted): the cached typical lengths are void.

    The version is replaced now, so this process's next read (and a test's) recomputes, and again after commit:
    a reader in another process that recomputed between the two from the not yet committed history cached it
    under a version nobody reads any more."""
    _new_history_version()
    transaction.on_commit(_new_history_version)


def connect_history_receivers() -> None:
    """Every write that can change a typical length replaces the history version (discovery/apps.py, in every
    process): a session saved in a finished status (it ended, a ticket corrected it), deleted, or corrected by
    an UPDATE (sessions_app.signals). Saves of open sessions, the frequent ones, leave the cache alone."""
    post_save.connect(_session_saved, sender=ChargingSession, dispatch_uid="wait-cache-session-saved")
    post_delete.connect(_session_deleted, sender=ChargingSession, dispatch_uid="wait-cache-session-deleted")
    finished_session_corrected.connect(_session_deleted, sender=ChargingSession, dispatch_uid="wait-cache-corrected")


def _session_saved(sender, instance: ChargingSession, **kwargs) -> None:
    if instance.status in TIMED_STATUSES:
        history_changed()


def _session_deleted(sender, **kwargs) -> None:
    history_changed()


def _new_history_version() -> None:
    _cache_call("set", HISTORY_VERSION_KEY, uuid.uuid4().hex, None)


def _typical_key(version: str, point: ChargingPoint) -> str:
    # The settings and the power class are in the key: the same point under other rules is another figure.
    rules = f"{settings.WAIT_HISTORY_SESSIONS}:{settings.WAIT_MIN_HISTORY}:{settings.DEFAULT_SESSION_MINUTES}"
    return f"discovery:typical:{version}:{rules}:{point.pk}:{power_class(point.power_kw)}"


def _cache_call(method: str, *args):
    # The cache is a saving, not a dependency: with it away every read computes from the history, as before.
    try:
        return getattr(cache, method)(*args)
    except Exception as exc:  # redis.ConnectionError, OSError, ... whatever the backend raises
        logger.warning("wait cache %s failed (%s: %s): reading the history", method, exc.__class__.__name__, exc)
        return None


def _typical_from_history(points: list[ChargingPoint]) -> dict[int, float]:
    history = settings.WAIT_HISTORY_SESSIONS
    by_point: dict[int, list[float]] = {}
    for pk, _, minutes in _recent_minutes(history, charging_point_id__in=[p.pk for p in points]):
        by_point.setdefault(pk, []).append(minutes)
    result = {
        p.pk: statistics.median(by_point[p.pk])
        for p in points
        if len(by_point.get(p.pk, ())) >= settings.WAIT_MIN_HISTORY
    }
    missing = [p for p in points if p.pk not in result]
    if missing:
        by_class: dict[int, list[float]] = {}
        for _, power, minutes in _recent_minutes(history):
            by_class.setdefault(power_class(power), []).append(minutes)
        for point in missing:
            durations = by_class.get(power_class(point.power_kw))
            result[point.pk] = statistics.median(durations) if durations else float(settings.DEFAULT_SESSION_MINUTES)
    return result


def estimated_wait_minutes(point: ChargingPoint, typical: float, now: datetime) -> int:
    """Minutes a driver arriving now waits at `point` (annotated with `queue_length` and `charging_started_at`):
    as if at the position behind everyone waiting."""
    return wait_for_position(point, typical, point.queue_length + 1, now)


def wait_for_position(point: ChargingPoint, typical: float, position: int, now: datetime) -> int:
    """Minutes the driver at `position` (1 = next) of the point's queue still waits."""
    ahead = max(0, position - 1) * typical
    if point.status == PointStatus.OCCUPIED:
        started = point.charging_started_at or point.status_changed_at
        elapsed = max(0.0, (now - started).total_seconds() / 60) if started else 0.0
        remaining = typical - elapsed
        minutes = max(1.0, remaining) + ahead
        if started and remaining > 1.0:
            # The estimate drops by one when `minutes` reaches the next whole number below it (or stays at
            # its floor of one minute); a cached answer holds until then.
            answer_holds_until(now + timedelta(minutes=minutes - (math.ceil(minutes) - 1)))
        return math.ceil(minutes)
    return math.ceil(ahead)
