"""GET /charging-points and GET /charging-points/{cp_id}."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from chargingpoints.models import ConnectorType, PointStatus
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory, DriverFactory, FavoriteFactory

SPRINGFIELD = (42.1015, -72.5898)
BOSTON = (42.3601, -71.0589)
LAST_UPDATED = datetime(2025, 10, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def network(db):
    """Three points: a FREE CCS in Springfield, an OCCUPIED CHAdeMO in Boston, an OFFLINE Type 2 in Cambridge."""
    return {
        "CP-001": ChargingPointFactory(
            cp_id="CP-001",
            name="Downtown Fast Charger",
            address="123 Main St",
            city="Springfield",
            latitude=SPRINGFIELD[0],
            longitude=SPRINGFIELD[1],
            connector_type=ConnectorType.CCS,
            power_kw=50.0,
            price_eur_per_kwh=Decimal("0.4200"),
            amenities=["WiFi", "Restroom", "Coffee Shop"],
            status=PointStatus.FREE,
            last_updated=LAST_UPDATED,
        ),
        "CP-004": ChargingPointFactory(
            cp_id="CP-004",
            name="Back Bay Garage",
            address="100 Huntington Ave",
            city="Boston",
            latitude=BOSTON[0],
            longitude=BOSTON[1],
            connector_type=ConnectorType.CHADEMO,
            power_kw=150.0,
            status=PointStatus.OCCUPIED,
            status_changed_at=timezone.now() - timedelta(minutes=10),
        ),
        "CP-006": ChargingPointFactory(
            cp_id="CP-006",
            name="Cambridge Library Lot",
            city="Cambridge",
            latitude=42.3736,
            longitude=-71.1097,
            connector_type=ConnectorType.TYPE_2,
            power_kw=11.0,
            status=PointStatus.OFFLINE,
        ),
    }


def ids(response) -> list[str]:
    return [item["cp_id"] for item in response.json()]


def test_anonymous_list_has_exactly_the_documented_item(anon_client, network):
    response = anon_client.get("/charging-points")

    assert response.status_code == 200
    assert response.json()[0] == {
        "cp_id": "CP-001",
        "name": "Downtown Fast Charger",
        "status": "FREE",
        "power_kw": 50.0,
        "connector_type": "CCS",
        "location": {
            "address": "123 Main St",
            "city": "Springfield",
            "latitude": 42.1015,
            "longitude": -72.5898,
            "distance_km": None,
        },
        "queue_length": 0,
        "estimated_wait_minutes": 0,
        "favorite": False,
    }
    assert ids(response) == ["CP-001", "CP-004", "CP-006"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("city=springfield", ["CP-001"]),
        ("city=BOSTON", ["CP-004"]),
        ("city=Spring", []),
        ("connector_type=ccs", ["CP-001"]),
        ("connector_type=type%202", ["CP-006"]),
        ("connector_type=CHAdeMO", ["CP-004"]),
        ("min_power_kw=50", ["CP-001", "CP-004"]),
        ("min_power_kw=50.5", ["CP-004"]),
        ("min_power_kw=0", ["CP-001", "CP-004", "CP-006"]),
        ("only_available=true", ["CP-001"]),
        ("only_available=TRUE", ["CP-001"]),
        ("only_available=false", ["CP-001", "CP-004", "CP-006"]),
        ("city=Springfield&connector_type=CCS&min_power_kw=40", ["CP-001"]),
        ("city=Boston&only_available=true", []),
        ("connector_type=CCS&min_power_kw=60", []),
        ("min_power_kw=10&only_available=false&connector_type=type 2", ["CP-006"]),
        # Empty values (an HTML form's blank fields) mean "no filter".
        ("city=&connector_type=&min_power_kw=&only_available=", ["CP-001", "CP-004", "CP-006"]),
    ],
)
def test_filters_one_by_one_and_combined(anon_client, network, query, expected):
    response = anon_client.get(f"/charging-points?{query}")

    assert response.status_code == 200
    assert ids(response) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_power_kw=-1", "min_power_kw"),
        ("min_power_kw=fast", "min_power_kw"),
        ("min_power_kw=nan", "min_power_kw"),
        ("lat=inf&lng=0", "lat"),
        ("only_available=yes", "only_available"),
        ("only_available=1", "only_available"),
        ("favorites_only=maybe", "favorites_only"),
        ("connector_type=Tesla", "connector_type"),
        ("lat=42.1", "lng"),
        ("lng=-72.5", "lat"),
        ("lat=91&lng=0", "lat"),
        ("lat=0&lng=181", "lng"),
        ("lat=north&lng=0", "lat"),
        ("lat=0&lng=0&radius_km=-5", "radius_km"),
        ("radius_km=10", "radius_km"),
        ("ordering=distance", "ordering"),
        ("ordering=colour", "ordering"),
    ],
)
def test_invalid_query_parameter_is_a_400_naming_it(anon_client, network, query, field):
    response = anon_client.get(f"/charging-points?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid request payload"
    assert isinstance(body[field], list) and body[field]
    assert body["errors"][field] == body[field]


def test_distance_from_given_position_is_great_circle_with_one_decimal(anon_client, network):
    response = anon_client.get(f"/charging-points?lat={BOSTON[0]}&lng={BOSTON[1]}")

    distances = {item["cp_id"]: item["location"]["distance_km"] for item in response.json()}
    # Springfield ↔ Boston city halls: 129.28 km on a sphere of radius 6371.0088 km.
    assert distances["CP-001"] == 129.3
    assert distances["CP-004"] == 0.0
    assert distances["CP-006"] == 4.4


def test_distance_on_the_equator_is_one_degree_of_arc(anon_client, db):
    ChargingPointFactory(cp_id="CP-EQ", latitude=0.0, longitude=1.0)

    response = anon_client.get("/charging-points?lat=0&lng=0")

    assert response.json()[0]["location"]["distance_km"] == 111.2


def test_distance_uses_the_drivers_home_without_a_position(alice, alice_client, network):
    alice.home_latitude, alice.home_longitude = BOSTON
    alice.save()

    response = alice_client.get("/charging-points?city=Springfield")

    assert response.json()[0]["location"]["distance_km"] == 129.3


def test_given_position_wins_over_the_home_position(alice, alice_client, network):
    alice.home_latitude, alice.home_longitude = BOSTON
    alice.save()

    response = alice_client.get(f"/charging-points?city=Springfield&lat={SPRINGFIELD[0]}&lng={SPRINGFIELD[1]}")

    assert response.json()[0]["location"]["distance_km"] == 0.0


def test_radius_and_distance_ordering(anon_client, network):
    response = anon_client.get(f"/charging-points?lat={BOSTON[0]}&lng={BOSTON[1]}&radius_km=10&ordering=distance")

    assert ids(response) == ["CP-004", "CP-006"]
    far_first = anon_client.get(f"/charging-points?lat={SPRINGFIELD[0]}&lng={SPRINGFIELD[1]}&ordering=distance")
    assert ids(far_first) == ["CP-001", "CP-006", "CP-004"]
    assert [i["location"]["distance_km"] for i in far_first.json()] == [0.0, 125.5, 129.3]


def test_radius_combines_with_the_other_filters(anon_client, network):
    response = anon_client.get(f"/charging-points?lat={BOSTON[0]}&lng={BOSTON[1]}&radius_km=200&only_available=true")

    assert ids(response) == ["CP-001"]


def test_favorite_flag_and_favorites_only_are_per_driver(alice, bob, alice_client, bob_client, network):
    FavoriteFactory(driver=alice, charging_point=network["CP-004"])

    alice_items = {item["cp_id"]: item["favorite"] for item in alice_client.get("/charging-points").json()}
    bob_items = {item["cp_id"]: item["favorite"] for item in bob_client.get("/charging-points").json()}

    assert alice_items == {"CP-001": False, "CP-004": True, "CP-006": False}
    assert bob_items == {"CP-001": False, "CP-004": False, "CP-006": False}
    assert ids(alice_client.get("/charging-points?favorites_only=true")) == ["CP-004"]
    assert ids(bob_client.get("/charging-points?favorites_only=true")) == []
    assert ids(alice_client.get("/charging-points?favorites_only=true&only_available=true")) == []


def test_anonymous_favorites_only_is_empty(anon_client, network):
    response = anon_client.get("/charging-points?favorites_only=true")

    assert response.status_code == 200
    assert response.json() == []


def test_invalid_token_is_a_401_even_on_public_endpoints(anon_client, network):
    anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = anon_client.get("/charging-points")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_queue_and_wait_estimates(anon_client, network, settings):
    settings.DEFAULT_SESSION_MINUTES = 30
    now = timezone.now()
    occupied = network["CP-004"]
    # History at the Boston point: finished sessions of 40, 50 and 60 minutes → typical 50 (the median).
    for minutes in (40, 50, 60):
        ChargingSessionFactory(
            charging_point=occupied,
            status=SessionStatus.COMPLETED,
            started_at=now - timedelta(days=1, minutes=minutes),
            completed_at=now - timedelta(days=1),
        )
    ChargingSessionFactory(
        charging_point=occupied, status=SessionStatus.CHARGING, started_at=now - timedelta(minutes=20)
    )
    ChargingSessionFactory(charging_point=occupied, status=SessionStatus.PENDING, queue_position=1)
    ChargingSessionFactory(charging_point=occupied, status=SessionStatus.PENDING, queue_position=2)
    ChargingSessionFactory(charging_point=network["CP-006"], status=SessionStatus.PENDING, queue_position=1)
    ChargingSessionFactory(charging_point=network["CP-006"], status=SessionStatus.CANCELLED)

    items = {item["cp_id"]: item for item in anon_client.get("/charging-points").json()}

    # OCCUPIED: 50 − 20 minutes left + 2 waiting × 50.
    assert (items["CP-004"]["queue_length"], items["CP-004"]["estimated_wait_minutes"]) == (2, 130)
    # FREE with nobody waiting: free now.
    assert (items["CP-001"]["queue_length"], items["CP-001"]["estimated_wait_minutes"]) == (0, 0)
    # OFFLINE, one waiting, no history of its own or its power class (≤ 22 kW): DEFAULT_SESSION_MINUTES.
    assert (items["CP-006"]["queue_length"], items["CP-006"]["estimated_wait_minutes"]) == (1, 30)


def test_occupied_wait_without_a_local_session_counts_from_the_status_change(anon_client, network, settings):
    settings.DEFAULT_SESSION_MINUTES = 30

    item = anon_client.get("/charging-points/CP-004").json()

    # Occupied for 10 minutes by someone central knows: 30 − 10 left, rounded up.
    assert item["queue_length"] == 0
    assert item["estimated_wait_minutes"] in (20, 21)


def test_occupied_wait_is_at_least_one_minute(anon_client, network):
    network["CP-004"].status_changed_at = timezone.now() - timedelta(hours=3)
    network["CP-004"].save()

    assert anon_client.get("/charging-points/CP-004").json()["estimated_wait_minutes"] == 1


def test_detail_adds_amenities_price_and_last_updated(anon_client, network):
    response = anon_client.get("/charging-points/CP-001")

    assert response.status_code == 200
    assert response.json() == {
        "cp_id": "CP-001",
        "name": "Downtown Fast Charger",
        "status": "FREE",
        "power_kw": 50.0,
        "connector_type": "CCS",
        "location": {
            "address": "123 Main St",
            "city": "Springfield",
            "latitude": 42.1015,
            "longitude": -72.5898,
            "distance_km": None,
        },
        "queue_length": 0,
        "estimated_wait_minutes": 0,
        "favorite": False,
        "amenities": ["WiFi", "Restroom", "Coffee Shop"],
        "price_eur_per_kwh": 0.42,
        "last_updated": "2025-10-25T12:00:00Z",
    }


def test_detail_for_a_driver_has_favorite_and_distance(alice, alice_client, network):
    FavoriteFactory(driver=alice, charging_point=network["CP-001"])

    item = alice_client.get(f"/charging-points/CP-001?lat={BOSTON[0]}&lng={BOSTON[1]}").json()

    assert (item["favorite"], item["location"]["distance_km"]) == (True, 129.3)


def test_detail_of_a_point_never_reported_has_null_last_updated(anon_client, db):
    ChargingPointFactory(cp_id="CP-NEW", last_updated=None)

    assert anon_client.get("/charging-points/CP-NEW").json()["last_updated"] is None


def test_unknown_point_is_a_404(anon_client, network):
    response = anon_client.get("/charging-points/CP-999")

    assert response.status_code == 404
    assert response.json() == {"detail": "Charging point not found"}


def test_detail_with_half_a_position_is_a_400(anon_client, network):
    response = anon_client.get("/charging-points/CP-001?lat=42")

    assert response.status_code == 400
    assert response.json()["lng"] == ["lat and lng must be given together."]


def _populate(count: int) -> None:
    driver = DriverFactory()
    for index in range(count):
        point = ChargingPointFactory(status=PointStatus.OCCUPIED if index % 2 else PointStatus.FREE)
        ChargingSessionFactory(
            charging_point=point, status=SessionStatus.COMPLETED, started_at=timezone.now(), completed_at=timezone.now()
        )
        ChargingSessionFactory(charging_point=point, status=SessionStatus.CANCELLED)
        if index % 3 == 0:
            FavoriteFactory(driver=driver, charging_point=point)


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow_with_points(alice, alice_client, anon_client, count, django_assert_num_queries):
    _populate(count)
    for index in range(0, count, 2):
        FavoriteFactory(driver=alice, charging_point=ChargingPointFactory(cp_id=f"CP-FAV-{index}"))

    # The annotated points, then the session lengths behind the wait estimates (per point, per power class).
    with django_assert_num_queries(3):
        anonymous = anon_client.get("/charging-points?lat=0&lng=0")
    # The token with its user and driver (one joined query; none once cached) and the points: the session
    # lengths are the cache's now (discovery.waits), the history has not changed.
    with django_assert_num_queries(2):
        authenticated = alice_client.get("/charging-points")

    assert len(anonymous.json()) == len(authenticated.json()) == count + len(range(0, count, 2))
