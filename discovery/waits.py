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
"""

import math
import statistics
from datetime import datetime

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from chargingpoints.models import ChargingPoint, PointStatus
from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus

TIMED_STATUSES = (SessionStatus.COMPLETED, SessionStatus.STOPPED)
POWER_CLASSES_KW = (7.4, 22.0, 50.0)


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
    """The typical session length (minutes) at each point, by the rule of the module docstring."""
    if not points:
        return {}
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
        return math.ceil(max(1.0, typical - elapsed) + ahead)
    return math.ceil(ahead)
