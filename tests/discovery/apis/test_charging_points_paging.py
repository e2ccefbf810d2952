"""GET /charging-points: paging, the map's bounding box and `include=details` (all opt-in: without them the
answer is the specification's plain list)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chargingpoints.models import PointStatus
from tests.factories import ChargingPointFactory

ITEM_KEYS = {
    "cp_id",
    "name",
    "status",
    "power_kw",
    "connector_type",
    "location",
    "queue_length",
    "estimated_wait_minutes",
    "favorite",
}
DETAIL_KEYS = ITEM_KEYS | {"amenities", "price_eur_per_kwh", "last_updated"}


@pytest.fixture
def row(db):
    """Five points on the equator, one degree apart: CP-00 at longitude 0 … CP-04 at longitude 4."""
    return [
        ChargingPointFactory(cp_id=f"CP-0{i}", latitude=0.0, longitude=float(i), status=PointStatus.FREE)
        for i in range(5)
    ]


def ids(response) -> list[str]:
    return [item["cp_id"] for item in response.json()]


def test_without_paging_the_whole_list_comes_back_with_no_paging_headers(anon_client, row):
    response = anon_client.get("/charging-points")

    assert response.status_code == 200
    assert ids(response) == ["CP-00", "CP-01", "CP-02", "CP-03", "CP-04"]
    assert "X-Total-Count" not in response.headers and "Link" not in response.headers
    assert all(set(item) == ITEM_KEYS for item in response.json())


def test_a_page_is_a_plain_list_with_the_total_and_links_in_headers(anon_client, row):
    response = anon_client.get("/charging-points?limit=2&offset=2")

    assert response.status_code == 200
    assert ids(response) == ["CP-02", "CP-03"]
    assert response.headers["X-Total-Count"] == "5"
    links = dict(
        (part.split("; ")[1].removeprefix('rel="').removesuffix('"'), part.split("; ")[0].strip("<>"))
        for part in response.headers["Link"].split(", ")
    )
    assert links == {
        "first": "http://testserver/charging-points?limit=2&offset=0",
        "prev": "http://testserver/charging-points?limit=2&offset=0",
        "next": "http://testserver/charging-points?limit=2&offset=4",
        "last": "http://testserver/charging-points?limit=2&offset=4",
    }
    assert ids(anon_client.get(links["next"])) == ["CP-04"]


def test_the_last_page_has_no_next_and_links_keep_the_filters(anon_client, row):
    response = anon_client.get("/charging-points?only_available=true&limit=2&offset=4")

    assert ids(response) == ["CP-04"]
    link = response.headers["Link"]
    assert 'rel="next"' not in link and 'rel="prev"' in link
    assert "only_available=true" in link


def test_offset_alone_and_past_the_end(anon_client, row):
    assert ids(anon_client.get("/charging-points?offset=3")) == ["CP-03", "CP-04"]
    past = anon_client.get("/charging-points?limit=10&offset=50")
    assert past.status_code == 200 and past.json() == [] and past.headers["X-Total-Count"] == "5"


def test_paging_follows_distance_ordering_and_radius(anon_client, row):
    # From longitude 3.9: CP-04 (11.1 km), CP-03 (100.1 km), CP-02 (211.3 km) lie within 250 km.
    response = anon_client.get("/charging-points?lat=0&lng=3.9&radius_km=250&ordering=distance&limit=2&offset=1")

    assert ids(response) == ["CP-03", "CP-02"]
    assert response.headers["X-Total-Count"] == "3"
    assert [item["location"]["distance_km"] for item in response.json()] == [100.1, 211.3]


@pytest.mark.parametrize(
    "query", ["limit=3", "lat=0&lng=0&ordering=distance&limit=3", "lat=0&lng=0&radius_km=300&limit=3"]
)
def test_a_page_costs_the_same_queries_however_many_points_there_are(anon_client, row, query):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = anon_client.get(f"/charging-points?{query}")
        assert len(response.json()) == 3
        return len(queries.captured_queries)

    few = page_queries()
    ChargingPointFactory.create_batch(40, latitude=0.5, longitude=0.5)

    assert page_queries() <= few


def test_bbox_keeps_the_points_inside_edges_included(anon_client, row):
    response = anon_client.get("/charging-points?bbox=1,-0.5,3,0.5")

    assert ids(response) == ["CP-01", "CP-02", "CP-03"]
    assert ids(anon_client.get("/charging-points?bbox=1.5,0,2.5,0")) == ["CP-02"]
    assert ids(anon_client.get("/charging-points?bbox=1,0.001,3,1")) == []


def test_bbox_across_the_antimeridian(anon_client, db):
    for cp_id, lng in (("CP-EAST", 179.5), ("CP-WEST", -179.5), ("CP-ZERO", 0.0)):
        ChargingPointFactory(cp_id=cp_id, latitude=0.0, longitude=lng)

    assert ids(anon_client.get("/charging-points?bbox=179,-1,-179,1")) == ["CP-EAST", "CP-WEST"]


def test_bbox_combines_with_filters_and_paging(anon_client, row):
    ChargingPointFactory(cp_id="CP-0X", latitude=0.0, longitude=2.5, status=PointStatus.OCCUPIED)

    response = anon_client.get("/charging-points?bbox=0.5,-1,3.5,1&only_available=true&limit=2")

    assert ids(response) == ["CP-01", "CP-02"]
    assert response.headers["X-Total-Count"] == "3"


def test_include_details_adds_the_detail_fields_to_each_item(anon_client, row):
    ChargingPointFactory(
        cp_id="CP-0D", latitude=0.0, longitude=9.0, price_eur_per_kwh=Decimal("0.4200"), amenities=["WiFi"]
    )

    response = anon_client.get("/charging-points?include=details&lat=0&lng=9")

    assert response.status_code == 200
    items = {item["cp_id"]: item for item in response.json()}
    assert all(set(item) == DETAIL_KEYS for item in items.values())
    assert items["CP-0D"] == anon_client.get("/charging-points/CP-0D?lat=0&lng=9").json()
    assert (items["CP-0D"]["price_eur_per_kwh"], items["CP-0D"]["amenities"]) == (0.42, ["WiFi"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=0,1,1,nan", "bbox"),
        ("bbox=0,50,1,40", "bbox"),
        ("bbox=0,0,181,1", "bbox"),
        ("bbox=0,-91,1,0", "bbox"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("include=everything", "include"),
        ("include=details,prices", "include"),
    ],
)
def test_invalid_paging_bbox_or_include_is_a_400_naming_it(anon_client, row, query, field):
    response = anon_client.get(f"/charging-points?{query}")

    assert response.status_code == 400
    assert response.json()["errors"][field]


def test_the_schema_documents_paging_bbox_include_and_the_headers(anon_client, db):
    schema = anon_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/charging-points"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"limit", "offset", "bbox", "include"} <= names
    assert {"X-Total-Count", "Link"} <= set(operation["responses"]["200"]["headers"])
