"""The charging points as one driver sees them: the list and detail with distance, favorite, queue and
wait estimates.

Central has no queue: the queue and the wait are estimated from this dashboard's own sessions.

- `queue_length`: this dashboard's open PENDING or APPROVED sessions at the point.
- average duration: mean `completed_at - started_at` of the point's finished (COMPLETED or STOPPED)
  sessions, else `settings.DEFAULT_SESSION_MINUTES`.
- `estimated_wait_minutes`, rounded up to whole minutes:
  FREE → `queue_length × average`; OCCUPIED → `max(1, average − minutes charging so far)` +
  `queue_length × average` (charging start: the point's CHARGING session here, else the time the
  point became OCCUPIED); OFFLINE → `queue_length × average` (when it returns is unknown).
"""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from chargingpoints.models import ChargingPoint, PointStatus
from chargingpoints.selectors import ChargingPointFilters, haversine_km
from common.errors import ChargingPointNotFound
from drivers.models import Driver, Favorite
from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus

QUEUED_STATUSES = (SessionStatus.PENDING, SessionStatus.APPROVED)
TIMED_STATUSES = (SessionStatus.COMPLETED, SessionStatus.STOPPED)


def _annotated(driver: Driver | None) -> QuerySet[ChargingPoint]:
    """Points with `favorite`, `queue_length`, `average_duration` and `charging_started_at`, in one query."""
    sessions_here = ChargingSession.objects.filter(charging_point=OuterRef("pk"))
    queue = (
        sessions_here.filter(status__in=QUEUED_STATUSES)
        .order_by()
        .values("charging_point")
        .annotate(n=Count("pk"))
        .values("n")
    )
    durations = (
        sessions_here.filter(status__in=TIMED_STATUSES, started_at__isnull=False, completed_at__isnull=False)
        .order_by()
        .values("charging_point")
        .annotate(
            average=Avg(ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())),
        )
        .values("average")
    )
    charging_since = sessions_here.filter(status=SessionStatus.CHARGING).order_by("-started_at").values("started_at")
    if driver is None:
        favorite = Value(False, output_field=BooleanField())
    else:
        favorite = Exists(Favorite.objects.filter(driver=driver, charging_point=OuterRef("pk")))
    return ChargingPoint.objects.annotate(
        favorite=favorite,
        queue_length=Coalesce(Subquery(queue[:1], output_field=IntegerField()), Value(0)),
        average_duration=Subquery(durations[:1], output_field=DurationField()),
        charging_started_at=Subquery(charging_since[:1]),
    )


def estimated_wait_minutes(point: ChargingPoint, now: datetime) -> int:
    """The wait formula of the module docstring, for a point from `_annotated`."""
    average = point.average_duration or timedelta(minutes=settings.DEFAULT_SESSION_MINUTES)
    average_minutes = average.total_seconds() / 60
    queued = point.queue_length * average_minutes
    if point.status == PointStatus.OCCUPIED:
        started = point.charging_started_at or point.status_changed_at
        elapsed_minutes = max(0.0, (now - started).total_seconds() / 60) if started else 0.0
        return math.ceil(max(1.0, average_minutes - elapsed_minutes) + queued)
    return math.ceil(queued)


def _position(filters: ChargingPointFilters, driver: Driver | None) -> tuple[float, float] | None:
    if filters.latitude is not None and filters.longitude is not None:
        return filters.latitude, filters.longitude
    if driver and driver.home_latitude is not None and driver.home_longitude is not None:
        return driver.home_latitude, driver.home_longitude
    return None


def _decorate(point: ChargingPoint, position: tuple[float, float] | None, now: datetime) -> ChargingPoint:
    point.distance_km = (
        round(haversine_km(position[0], position[1], point.latitude, point.longitude), 1) if position else None
    )
    point.estimated_wait_minutes = estimated_wait_minutes(point, now)
    return point


def charging_point_list(*, driver: Driver | None, filters: ChargingPointFilters) -> list[ChargingPoint]:
    """The points matching `filters`, ordered by cp_id (or by distance), in one database query.

    Each point carries `favorite` (for `driver`; False without one), `queue_length`,
    `estimated_wait_minutes` and `distance_km` (from lat/lng, else the driver's home, else None).
    `radius_km` and distance ordering need a position; the caller validates that.
    """
    points = _annotated(driver)
    if filters.city:
        points = points.filter(city__iexact=filters.city)
    if filters.connector_type:
        points = points.filter(connector_type__iexact=filters.connector_type)
    if filters.min_power_kw is not None:
        points = points.filter(power_kw__gte=filters.min_power_kw)
    if filters.only_available:
        points = points.filter(status=PointStatus.FREE)
    if filters.favorites_only:
        if driver is None:
            return []
        points = points.filter(favorite=True)

    now = timezone.now()
    position = _position(filters, driver)
    result = [_decorate(point, position, now) for point in points.order_by("cp_id")]
    if position is not None and filters.radius_km is not None:
        result = [point for point in result if point.distance_km <= filters.radius_km]
    if position is not None and filters.order_by_distance:
        result.sort(key=lambda point: (point.distance_km, point.cp_id))
    return result


def charging_point_get(
    *, cp_id: str, driver: Driver | None, latitude: float | None = None, longitude: float | None = None
) -> ChargingPoint:
    """One point, decorated like the list items. Raises ChargingPointNotFound."""
    point = _annotated(driver).filter(cp_id=cp_id).first()
    if point is None:
        raise ChargingPointNotFound()
    position = _position(ChargingPointFilters(latitude=latitude, longitude=longitude), driver)
    return _decorate(point, position, timezone.now())
