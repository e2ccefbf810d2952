"""The charging points as one driver sees them: the list and detail with distance, favorite, queue and
wait estimates.

Central has no queue: the queue is the dashboard's own waiting list (sessions_app.services.queue) and
`queue_length` counts the drivers waiting on it. `estimated_wait_minutes` comes from how long sessions really
last (discovery.waits, where the method is written down).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
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
from discovery.waits import estimated_wait_minutes, typical_minutes, wait_for_position
from drivers.models import Driver, Favorite
from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus


def _annotated(driver: Driver | None) -> QuerySet[ChargingPoint]:
    """Points with `favorite`, `queue_length` and `charging_started_at`, in one query."""
    sessions_here = ChargingSession.objects.filter(charging_point=OuterRef("pk"))
    queue = (
        sessions_here.filter(status=SessionStatus.PENDING, queue_position__isnull=False)
        .order_by()
        .values("charging_point")
        .annotate(n=Count("pk"))
        .values("n")
    )
    charging_since = sessions_here.filter(status=SessionStatus.CHARGING).order_by("-started_at").values("started_at")
    if driver is None:
        favorite = Value(False, output_field=BooleanField())
    else:
        favorite = Exists(Favorite.objects.filter(driver=driver, charging_point=OuterRef("pk")))
    return ChargingPoint.objects.annotate(
        favorite=favorite,
        queue_length=Coalesce(Subquery(queue[:1], output_field=IntegerField()), Value(0)),
        charging_started_at=Subquery(charging_since[:1]),
    )


def _position(filters: ChargingPointFilters, driver: Driver | None) -> tuple[float, float] | None:
    if filters.latitude is not None and filters.longitude is not None:
        return filters.latitude, filters.longitude
    if driver and driver.home_latitude is not None and driver.home_longitude is not None:
        return driver.home_latitude, driver.home_longitude
    return None


def _decorate(points: list[ChargingPoint], position: tuple[float, float] | None, now: datetime) -> list:
    typical = typical_minutes(points)
    for point in points:
        point.distance_km = (
            round(haversine_km(position[0], position[1], point.latitude, point.longitude), 1) if position else None
        )
        point.estimated_wait_minutes = estimated_wait_minutes(point, typical[point.pk], now)
    return points


def charging_point_list(*, driver: Driver | None, filters: ChargingPointFilters) -> list[ChargingPoint]:
    """The points matching `filters`, ordered by cp_id (or by distance), in three queries (points, then the
    session lengths behind the wait estimates).

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
    result = _decorate(list(points.order_by("cp_id")), position, now)
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
    return _decorate([point], position, timezone.now())[0]


@dataclass(frozen=True)
class QueuePlace:
    cp_id: str
    request_id: str
    queue_position: int
    queue_length: int
    estimated_wait_minutes: int


def queue_place_of(*, driver: Driver) -> QueuePlace | None:
    """The driver's place on a point's waiting list and their own wait, or None when not waiting."""
    session = (
        ChargingSession.objects.filter(driver=driver, status=SessionStatus.PENDING, queue_position__isnull=False)
        .select_related("charging_point")
        .first()
    )
    if session is None:
        return None
    point = _annotated(driver).get(pk=session.charging_point_id)
    typical = typical_minutes([point])[point.pk]
    return QueuePlace(
        cp_id=point.cp_id,
        request_id=session.request_id,
        queue_position=session.queue_position,
        queue_length=point.queue_length,
        estimated_wait_minutes=wait_for_position(point, typical, session.queue_position, timezone.now()),
    )
