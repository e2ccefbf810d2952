"""The radius search: a latitude/longitude box the database narrows the rows by (chargingpoints.selectors.
radius_box, on the (latitude, longitude) index), then the exact great-circle distance."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chargingpoints.selectors import EARTH_RADIUS_KM, ChargingPointFilters, haversine_km, radius_box
from discovery.selectors import charging_point_page
from tests.factories import ChargingPointFactory


def destination(lat: float, lng: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point `km` away from (lat, lng) on the initial bearing, on the sphere of haversine_km."""
    delta, theta = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    phi1, lambda1 = math.radians(lat), math.radians(lng)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lambda2) + 540) % 360 - 180


def in_box(box, lat, lng) -> bool:
    if not box.min_lat <= lat <= box.max_lat:
        return False
    if box.min_lng <= box.max_lng:
        return box.min_lng <= lng <= box.max_lng
    return lng >= box.min_lng or lng <= box.max_lng


@pytest.mark.parametrize(
    ("lat", "lng", "radius_km"),
    [
        (0.0, 0.0, 10.0),
        (42.1015, -72.5898, 25.0),
        (-33.9, 151.2, 300.0),
        (69.65, 18.96, 50.0),  # far north: a degree of longitude is short
        (0.0, 179.95, 20.0),  # across the antimeridian
        (0.0, -179.95, 20.0),
        (89.95, 10.0, 15.0),  # over the pole
        (-89.95, 10.0, 15.0),
        (10.0, 20.0, 12000.0),  # past a quarter of the Earth
    ],
)
def test_the_box_holds_the_whole_circle(lat, lng, radius_km):
    box = radius_box(lat, lng, radius_km)
    for step in range(96):
        point = destination(lat, lng, step * 3.75, radius_km * 0.99999)
        assert haversine_km(lat, lng, *point) == pytest.approx(radius_km * 0.99999, rel=1e-6)
        assert in_box(box, *point), (step * 3.75, point, box)


def test_the_box_is_tight_on_the_equator():
    box = radius_box(0.0, 0.0, 111.19508)  # one degree of arc
    assert (box.min_lat, box.max_lat) == (pytest.approx(-1.0, abs=1e-6), pytest.approx(1.0, abs=1e-6))
    assert (box.min_lng, box.max_lng) == (pytest.approx(-1.0, abs=1e-6), pytest.approx(1.0, abs=1e-6))


CENTRE = (42.1015, -72.5898)


def _ids(filters: ChargingPointFilters) -> list[str]:
    return [point.cp_id for point in charging_point_page(driver=None, filters=filters).points]


def _around(radius_km: float, **extra) -> ChargingPointFilters:
    return ChargingPointFilters(latitude=CENTRE[0], longitude=CENTRE[1], radius_km=radius_km, **extra)


def test_points_just_inside_and_just_outside_the_radius_in_every_direction(db):
    # The filter matches the distance the card shows (one decimal): 10.04 km is "10.0 km", inside 10 km.
    for bearing in (0, 45, 90, 135, 180, 225, 270, 315):
        for label, km in (("in", 9.96), ("edge", 10.04), ("out", 10.06), ("far", 10.5)):
            lat, lng = destination(*CENTRE, bearing, km)
            ChargingPointFactory(cp_id=f"CP-{bearing:03d}-{label}", latitude=lat, longitude=lng)

    found = _ids(_around(10.0))

    assert sorted(found) == sorted(
        f"CP-{b:03d}-{label}" for b in (0, 45, 90, 135, 180, 225, 270, 315) for label in ("in", "edge")
    )


def test_points_in_the_box_corners_but_outside_the_circle_are_left_out(db):
    box = radius_box(*CENTRE, 10.05 + 1e-9)
    inside = 0.999
    ChargingPointFactory(
        cp_id="CP-NE",
        latitude=CENTRE[0] + (box.max_lat - CENTRE[0]) * inside,
        longitude=CENTRE[1] + (box.max_lng - CENTRE[1]) * inside,
    )
    ChargingPointFactory(
        cp_id="CP-SW",
        latitude=CENTRE[0] + (box.min_lat - CENTRE[0]) * inside,
        longitude=CENTRE[1] + (box.min_lng - CENTRE[1]) * inside,
    )
    lat, lng = destination(*CENTRE, 45, 9.9)
    ChargingPointFactory(cp_id="CP-DIAGONAL", latitude=lat, longitude=lng)

    assert _ids(_around(10.0)) == ["CP-DIAGONAL"]
    assert _ids(ChargingPointFilters(latitude=CENTRE[0], longitude=CENTRE[1], radius_km=20.0)) == [
        "CP-DIAGONAL",
        "CP-NE",
        "CP-SW",
    ]


def test_the_database_narrows_the_rows_to_the_box(db):
    near = ChargingPointFactory(cp_id="CP-NEAR", latitude=CENTRE[0] + 0.01, longitude=CENTRE[1])
    ChargingPointFactory(cp_id="CP-FAR", latitude=CENTRE[0] + 1, longitude=CENTRE[1])

    with CaptureQueriesContext(connection) as queries:
        page = charging_point_page(driver=None, filters=_around(5.0, order_by_distance=True))

    assert [point.pk for point in page.points] == [near.pk] and page.total == 1
    first = queries.captured_queries[0]["sql"]
    assert '"latitude" >=' in first and '"latitude" <=' in first
    assert '"longitude" >=' in first and '"longitude" <=' in first


def test_radius_across_the_antimeridian_and_over_the_pole(db):
    ChargingPointFactory(cp_id="CP-WEST", latitude=0.0, longitude=-179.95)  # 11.1 km from (0, 179.95)
    ChargingPointFactory(cp_id="CP-POLE", latitude=89.95, longitude=-170.0)  # 11.1 km from (89.95, 10)
    ChargingPointFactory(cp_id="CP-ZERO", latitude=0.0, longitude=0.0)

    assert _ids(ChargingPointFilters(latitude=0.0, longitude=179.95, radius_km=12)) == ["CP-WEST"]
    assert _ids(ChargingPointFilters(latitude=89.95, longitude=10.0, radius_km=12)) == ["CP-POLE"]


def test_distance_ordering_without_radius_stays_nearest_first(db):
    for cp_id, km in (("CP-A", 30.0), ("CP-B", 5.0), ("CP-C", 12.0)):
        lat, lng = destination(*CENTRE, 200, km)
        ChargingPointFactory(cp_id=cp_id, latitude=lat, longitude=lng)

    filters = ChargingPointFilters(latitude=CENTRE[0], longitude=CENTRE[1], order_by_distance=True)
    page = charging_point_page(driver=None, filters=filters, limit=2)

    assert [(p.cp_id, p.distance_km) for p in page.points] == [("CP-B", 5.0), ("CP-C", 12.0)]
    assert page.total == 3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_first_pages_match_sorting_every_point(db, seed):
    """Pages of the nearest-first list (boxes growing around the position) equal slices of the full sort,
    including points whose shown distances tie, and far-away ones."""
    import random

    rng = random.Random(seed)
    for i in range(120):
        lat, lng = destination(*CENTRE, rng.uniform(0, 360), rng.choice([rng.uniform(0, 30), rng.uniform(0, 3000)]))
        ChargingPointFactory(cp_id=f"CP-{i:03d}", latitude=lat, longitude=lng)
    for i in range(6):  # the same shown distance, 7.3 km, in different directions: cp_id breaks the tie
        ChargingPointFactory(
            cp_id=f"CP-T{i}",
            latitude=destination(*CENTRE, 60 * i, 7.3)[0],
            longitude=destination(*CENTRE, 60 * i, 7.3)[1],
        )
    filters = ChargingPointFilters(latitude=CENTRE[0], longitude=CENTRE[1], order_by_distance=True)
    everything = [p.cp_id for p in charging_point_page(driver=None, filters=filters).points]

    for offset, limit in ((0, 1), (0, 10), (5, 7), (40, 30), (100, 50), (125, 5)):
        page = charging_point_page(driver=None, filters=filters, limit=limit, offset=offset)
        assert [p.cp_id for p in page.points] == everything[offset : offset + limit]
        assert page.total == 126
