"""GET /charging-points: the opt-in orders (`ordering=power|price|name`) and the search (`q`). Without them the
answer is the specification's list, in cp_id order."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chargingpoints.models import PointStatus
from tests.factories import ChargingPointFactory

SPRINGFIELD = (42.1015, -72.5898)


@pytest.fixture
def points(db):
    """Four points; power, price and name each put them in a different order than cp_id does."""
    spec = [
        # cp_id, name, address, city, kW, €/kWh, km east of Springfield (0.01° ≈ 0.8 km)
        ("CP-A", "zeta Plaza", "1 Main St", "Springfield", 22.0, "0.3000", 0.03),
        ("CP-B", "Alpha Garage", "9 Elm Rd", "Springfield", 150.0, "0.5500", 0.01),
        ("CP-C", "Main Street Hub", "4 Oak Ave", "Boston", 50.0, "0.2500", 0.04),
        ("CP-D", "beta Depot", "7 Pine Ln", "Worcester", 150.0, "0.2500", 0.02),
    ]
    return {
        cp_id: ChargingPointFactory(
            cp_id=cp_id,
            name=name,
            address=address,
            city=city,
            power_kw=kw,
            price_eur_per_kwh=Decimal(price),
            latitude=SPRINGFIELD[0],
            longitude=SPRINGFIELD[1] + east,
            status=PointStatus.FREE,
        )
        for cp_id, name, address, city, kw, price, east in spec
    }


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["cp_id"] for item in response.json()]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("cp_id", ["CP-A", "CP-B", "CP-C", "CP-D"]),
        # Most powerful first; the two 150 kW points in cp_id order.
        ("power", ["CP-B", "CP-D", "CP-C", "CP-A"]),
        # Cheapest first; the two €0.25 points in cp_id order.
        ("price", ["CP-C", "CP-D", "CP-A", "CP-B"]),
        # A to Z whatever the case of the first letter.
        ("name", ["CP-B", "CP-D", "CP-C", "CP-A"]),
    ],
)
def test_ordering_by_power_price_and_name(anon_client, points, ordering, expected):
    assert ids(anon_client.get(f"/charging-points?ordering={ordering}")) == expected
    # The same order page by page.
    first = ids(anon_client.get(f"/charging-points?ordering={ordering}&limit=2"))
    second = ids(anon_client.get(f"/charging-points?ordering={ordering}&limit=2&offset=2"))
    assert first + second == expected


def test_without_the_new_parameters_the_list_is_unchanged(anon_client, points):
    response = anon_client.get("/charging-points")

    assert ids(response) == ["CP-A", "CP-B", "CP-C", "CP-D"]
    assert "X-Total-Count" not in response
    # Blank values (an HTML form's empty fields) mean "not given", as for the other filters.
    assert ids(anon_client.get("/charging-points?ordering=&q=")) == ["CP-A", "CP-B", "CP-C", "CP-D"]


def test_ordering_within_a_radius_keeps_only_the_points_inside(anon_client, points):
    # 2.0 km east reaches CP-B (0.8 km), CP-D (1.6 km); CP-A is 2.5 km, CP-C 3.3 km away.
    query = f"lat={SPRINGFIELD[0]}&lng={SPRINGFIELD[1]}&radius_km=2"

    assert ids(anon_client.get(f"/charging-points?{query}&ordering=price")) == ["CP-D", "CP-B"]
    assert ids(anon_client.get(f"/charging-points?{query}&ordering=name&limit=1&offset=1")) == ["CP-D"]


def test_nearest_first_from_the_given_position(anon_client, points):
    response = anon_client.get(f"/charging-points?lat={SPRINGFIELD[0]}&lng={SPRINGFIELD[1]}&ordering=distance")

    assert ids(response) == ["CP-B", "CP-D", "CP-A", "CP-C"]


def test_nearest_first_from_the_drivers_home_without_a_position(alice, alice_client, points):
    alice.home_latitude, alice.home_longitude = SPRINGFIELD[0], SPRINGFIELD[1] + 0.05
    alice.save()

    assert ids(alice_client.get("/charging-points?ordering=distance")) == ["CP-C", "CP-A", "CP-D", "CP-B"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("main", ["CP-A", "CP-C"]),  # CP-A's address, CP-C's name
        ("MAIN", ["CP-A", "CP-C"]),
        ("boston", ["CP-C"]),  # the city
        ("garage", ["CP-B"]),
        ("cp-d", ["CP-D"]),  # the id the card shows
        # Every word must match, each in any field.
        ("main springfield", ["CP-A"]),
        ("  main   boston ", ["CP-C"]),
        ("nowhere", []),
        # Characters that are wildcards in SQL LIKE are searched for as themselves.
        ("%", []),
        ("_", []),
        # An emptied search box means no search.
        ("", ["CP-A", "CP-B", "CP-C", "CP-D"]),
        ("   ", ["CP-A", "CP-B", "CP-C", "CP-D"]),
    ],
)
def test_search_over_name_address_city_and_id(anon_client, points, q, expected):
    assert ids(anon_client.get("/charging-points", {"q": q})) == expected


def test_search_combines_with_filters_ordering_and_paging(anon_client, points):
    response = anon_client.get("/charging-points", {"q": "a", "min_power_kw": 50, "ordering": "price", "limit": 2})

    assert ids(response) == ["CP-C", "CP-D"]
    assert response["X-Total-Count"] == "3"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ordering=cheapest", "ordering"),
        (f"q={'x' * 101}", "q"),
        # ordering=distance still needs a position (the given one or the driver's home).
        ("ordering=distance", "ordering"),
        ("min_power_kw=-5", "min_power_kw"),
    ],
)
def test_invalid_ordering_search_or_power_is_a_400_naming_it(anon_client, points, query, field):
    response = anon_client.get(f"/charging-points?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid request payload"
    assert body["errors"][field] == body[field] and body[field]


@pytest.mark.parametrize("query", ["ordering=power&q=a", "ordering=name&q=main&limit=2", "ordering=price"])
def test_sorted_or_searched_lists_cost_the_same_queries_however_many_points(anon_client, points, query):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = anon_client.get(f"/charging-points?{query}")
        assert response.status_code == 200
        return len(captured.captured_queries)

    few = queries()
    ChargingPointFactory.create_batch(30, name="Another Main Stop", city="Springfield", power_kw=75.0)

    assert queries() == few


def test_the_schema_documents_the_orders_and_the_search(anon_client, db):
    schema = anon_client.get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/charging-points"]["get"]["parameters"]}

    assert parameters["ordering"]["schema"]["enum"] == ["cp_id", "distance", "power", "price", "name"]
    assert "q" in parameters
