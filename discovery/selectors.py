"""The charging points as one driver sees them: the list and detail with distance, favorite, queue and
wait estimates.

Central has no queue: the queue is the dashboard's own waiting list (sessions_app.services.queue) and
`queue_length` counts the drivers waiting on it. `estimated_wait_minutes` comes from how long sessions really
last (discovery.waits, where the method is written down).
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from chargingpoints.models import ChargingPoint, PointStatus
from chargingpoints.selectors import EARTH_RADIUS_KM, ChargingPointFilters, LatLngBox, haversine_km, radius_box
from common.errors import ChargingPointNotFound
from discovery.waits import estimated_wait_minutes, typical_minutes, wait_for_position
from drivers.models import Driver, Favorite
from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus

# `distance_km` is shown with one decimal: half of that is how far past the radius a listed point may be.
DISTANCE_ROUNDING_KM = 0.05 + 1e-9
# The nearest-first page without a radius: the first box's reach, and how far inside it a point must be for
# its shown distance to be below that of every point outside (more than twice the rounding).
NEAREST_FIRST_REACH_KM = 5.0
NEAREST_MARGIN_KM = 0.2


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


def _matching(points: QuerySet[ChargingPoint], driver: Driver | None, filters: ChargingPointFilters):
    """`points` narrowed by the filters SQL can apply (the radius only by its bounding box); None when
    nothing can match."""
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
            return None
        points = points.filter(Exists(Favorite.objects.filter(driver=driver, charging_point=OuterRef("pk"))))
    if filters.search:
        for word in filters.search.split():
            points = points.filter(
                Q(name__icontains=word)
                | Q(address__icontains=word)
                | Q(city__icontains=word)
                | Q(cp_id__icontains=word)
            )
    if filters.bbox is not None:
        min_lng, min_lat, max_lng, max_lat = filters.bbox
        points = points.filter(_box_q(LatLngBox(min_lat, max_lat, min_lng, max_lng)))
    position = _position(filters, driver)
    if position is not None and filters.radius_km is not None:
        # A distance that rounds to the radius is inside (the filter matches what the card shows), so the
        # box is drawn for the radius plus that rounding, then the exact check runs on what remains.
        points = points.filter(_box_q(radius_box(*position, filters.radius_km + DISTANCE_ROUNDING_KM)))
    return points


def _box_q(box: LatLngBox) -> Q:
    """Range conditions on (latitude, longitude), the columns of `cp_latitude_longitude_idx`."""
    q = Q(latitude__gte=box.min_lat, latitude__lte=box.max_lat)
    if box.min_lng <= box.max_lng:
        if box.min_lng > -180 or box.max_lng < 180:
            q &= Q(longitude__gte=box.min_lng, longitude__lte=box.max_lng)
        return q
    return q & (Q(longitude__gte=box.min_lng) | Q(longitude__lte=box.max_lng))


def _order(filters: ChargingPointFilters) -> tuple:
    """The SQL order of the list: `ordering`'s key (see ChargingPointFilters.order_by), then cp_id."""
    if filters.order_by == "power":
        return ("-power_kw", "cp_id")
    if filters.order_by == "price":
        return ("price_eur_per_kwh", "cp_id")
    if filters.order_by == "name":
        return (Lower("name"), "cp_id")
    return ("cp_id",)


@dataclass(frozen=True)
class ChargingPointPage:
    points: list[ChargingPoint]
    total: int  # matching points, all pages


def charging_point_page(
    *, driver: Driver | None, filters: ChargingPointFilters, limit: int | None = None, offset: int = 0
) -> ChargingPointPage:
    """One page (`limit` items after `offset`; no limit: to the end) of the points matching `filters`, ordered
    by cp_id (or by distance, power, price or name, then cp_id), and how many match in all.

    Each point carries `favorite` (for `driver`; False without one), `queue_length`,
    `estimated_wait_minutes` and `distance_km` (from lat/lng, else the driver's home, else None).
    `radius_km` and distance ordering need a position; the caller validates that.

    The database does the filtering: a radius search reads only the rows in its bounding box (an index
    range), then the exact great-circle distance decides on those. Queue, favorite and wait figures are
    computed for the page's points only.
    """
    matching = _matching(ChargingPoint.objects.all(), driver, filters)
    if matching is None:
        return ChargingPointPage(points=[], total=0)
    now = timezone.now()
    position = _position(filters, driver)
    end = None if limit is None else offset + limit
    if position is not None and (filters.radius_km is not None or filters.order_by_distance):
        if filters.radius_km is None and limit is not None:
            rows, total = _nearest(matching, position, offset + limit)
        else:
            rows = _distances(matching, position)
            if filters.radius_km is not None:
                rows = [row for row in rows if row[0] <= filters.radius_km]
            total = len(rows)
        if filters.order_by_distance:
            rows.sort()
            pks = [row[2] for row in rows[offset:end]]
        elif filters.order_by:
            # A radius with another order: the points inside it, ordered by the database.
            inside = matching.filter(pk__in=[row[2] for row in rows]).order_by(*_order(filters))
            pks = list(inside.values_list("pk", flat=True)[offset:end])
        else:
            pks = [row[2] for row in rows[offset:end]]
    elif limit is None and offset == 0:
        result = list(_matching(_annotated(driver), driver, filters).order_by(*_order(filters)))
        return ChargingPointPage(points=_decorate(result, position, now), total=len(result))
    else:
        total = matching.count()
        pks = list(matching.order_by(*_order(filters)).values_list("pk", flat=True)[offset:end])
    # The costly part (queue, favorite and the wait figures) only for the page's points.
    by_pk = {point.pk: point for point in _annotated(driver).filter(pk__in=pks)}
    return ChargingPointPage(points=_decorate([by_pk[pk] for pk in pks], position, now), total=total)


def _distances(points: QuerySet[ChargingPoint], position: tuple[float, float]) -> list[tuple]:
    """(distance as shown, cp_id, pk, exact distance) of each point, in cp_id order."""
    rows = []
    for pk, cp_id, lat, lng in points.order_by("cp_id").values_list("pk", "cp_id", "latitude", "longitude"):
        exact = haversine_km(position[0], position[1], lat, lng)
        rows.append((round(exact, 1), cp_id, pk, exact))
    return rows


def _nearest(points: QuerySet[ChargingPoint], position: tuple[float, float], needed: int) -> tuple[list, int]:
    """Enough of the points nearest to `position` to hold the first `needed` in (distance as shown, cp_id)
    order, and how many points there are, reading only boxes around the position (the index).

    The box of reach r holds every point within r, so a point outside it is farther than r; once `needed`
    points lie within r − NEAREST_MARGIN_KM (their shown distance is below any outside point's), the
    first `needed` are all in the box. Else the reach grows fourfold, up to the whole Earth.
    """
    total = points.count()
    reach = NEAREST_FIRST_REACH_KM
    while True:
        rows = _distances(points.filter(_box_q(radius_box(*position, reach))), position)
        sure = sum(1 for row in rows if row[3] <= reach - NEAREST_MARGIN_KM)
        if sure >= min(needed, total) or reach >= math.pi * EARTH_RADIUS_KM:
            return rows, total
        reach *= 4


def charging_point_list(*, driver: Driver | None, filters: ChargingPointFilters) -> list[ChargingPoint]:
    """Every point matching `filters` (see `charging_point_page`)."""
    return charging_point_page(driver=driver, filters=filters).points


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


def point_live_figures(point_pks) -> list[ChargingPoint]:
    """Points by pk with `queue_length` and `estimated_wait_minutes` as the list shows them (for the live `point`
    events); driver-specific fields (favorite, distance) are left to the page."""
    points = list(_annotated(None).filter(pk__in=list(point_pks)).order_by("cp_id"))
    return _decorate(points, None, timezone.now())
