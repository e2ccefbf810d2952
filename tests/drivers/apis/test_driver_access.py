"""Who may use `/drivers/{driver_id}/...`: authentication, ownership, CSRF, throttling, browsable API."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from drivers.permissions import DriverWritesThrottle
from tests.factories import ChargingSessionFactory, NotificationFactory, UserFactory

GET_PATHS = [
    "/drivers/driver-alice/sessions/current",
    "/drivers/driver-alice/sessions/history",
    "/drivers/driver-alice/favorites",
    "/drivers/driver-alice/notifications",
    "/drivers/driver-alice/alerts",
]
WRITES = [
    ("post", "/drivers/driver-alice/requests", {"cp_id": "CP-001", "vehicle_id": "v"}),
    ("delete", "/drivers/driver-alice/requests/req-1", None),
    ("post", "/drivers/driver-alice/sessions/session-1/stop", None),
    ("post", "/drivers/driver-alice/favorites", {"cp_id": "CP-001"}),
    ("delete", "/drivers/driver-alice/favorites/CP-001", None),
    ("post", "/drivers/driver-alice/notifications/note-1/read", None),
    ("post", "/drivers/driver-alice/notifications/read-all", None),
]


@pytest.fixture
def session_client(alice):
    """A browser-like client: session login, CSRF checks on."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice.user)
    return client


@pytest.mark.parametrize("path", GET_PATHS)
def test_anonymous_is_a_401(alice, anon_client, path):
    response = anon_client.get(path)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_anonymous_writes_are_a_401(alice, anon_client, cp, method, path, body):
    response = getattr(anon_client, method)(path, body, format="json")

    assert response.status_code == 401


@pytest.mark.parametrize("path", GET_PATHS)
def test_another_driver_is_a_404(alice, bob_client, path):
    response = bob_client.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Driver not found"}


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_another_drivers_writes_are_a_404(alice, bob_client, cp, method, path, body):
    response = getattr(bob_client, method)(path, body, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Driver not found"}


def test_unknown_driver_answers_like_another_driver(alice_client):
    response = alice_client.get("/drivers/driver-nobody/favorites")

    assert (response.status_code, response.json()) == (404, {"detail": "Driver not found"})


def test_a_user_who_is_not_a_driver_is_a_404(alice):
    client = APIClient()
    client.force_authenticate(UserFactory(username="operator"))

    response = client.get("/drivers/driver-alice/favorites")

    assert (response.status_code, response.json()) == (404, {"detail": "Driver not found"})


def test_session_login_reads_without_a_token(session_client):
    assert session_client.get("/drivers/driver-alice/favorites").status_code == 200


def test_session_login_writes_need_the_csrf_token(session_client, cp):
    without = session_client.post("/drivers/driver-alice/favorites", {"cp_id": "CP-001"}, format="json")

    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]

    session_client.get("/drivers/driver-alice/favorites", HTTP_ACCEPT="text/html")
    token = session_client.cookies["csrftoken"].value
    with_token = session_client.post(
        "/drivers/driver-alice/favorites", {"cp_id": "CP-001"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert with_token.status_code == 204


def test_token_writes_need_no_csrf_token(alice, cp):
    from tests.conftest import _client_for

    client = _client_for(alice)
    client.enforce_csrf_checks = True

    assert client.post("/drivers/driver-alice/favorites", {"cp_id": "CP-001"}, format="json").status_code == 204


@pytest.fixture
def two_writes_a_minute(monkeypatch):
    cache.clear()
    monkeypatch.setattr(DriverWritesThrottle, "THROTTLE_RATES", {"driver_writes": "2/min"})
    yield
    cache.clear()


def test_writes_are_throttled_and_reads_are_not(alice_client, cp, two_writes_a_minute):
    statuses = [
        alice_client.post("/drivers/driver-alice/favorites", {"cp_id": "CP-001"}, format="json").status_code
        for _ in range(3)
    ]
    reads = [alice_client.get("/drivers/driver-alice/favorites").status_code for _ in range(5)]

    assert statuses == [204, 204, 429]
    assert reads == [200] * 5


@pytest.mark.parametrize("path", [*GET_PATHS, "/charging-points", "/charging-points/CP-001", "/sync-status", "/health"])
def test_browsable_api_renders_every_get_endpoint(alice, session_client, cp, path):
    ChargingSessionFactory(driver=alice, charging_point=cp)
    NotificationFactory(driver=alice)

    response = session_client.get(path, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Django REST framework" in response.content


WRITE_ONLY = [write for write in WRITES if write[1] not in GET_PATHS]


@pytest.mark.parametrize(("method", "path", "body"), WRITE_ONLY)
def test_browsable_api_renders_every_write_only_endpoint(session_client, cp, method, path, body):
    response = session_client.get(path, HTTP_ACCEPT="text/html")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("text/html")
    assert b"Django REST framework" in response.content
    assert f'Allow:</b> <span class="lit">{method.upper()}'.encode() in response.content


def test_cors_allows_the_configured_origin_only(alice_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:8100"]

    allowed = alice_client.options(
        "/drivers/driver-alice/favorites",
        HTTP_ORIGIN="http://localhost:8100",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    foreign = alice_client.options(
        "/drivers/driver-alice/favorites",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert allowed["Access-Control-Allow-Origin"] == "http://localhost:8100"
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    assert "Access-Control-Allow-Origin" not in foreign


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/charging-points/CP%00"),
        ("get", "/drivers/driver%00/favorites"),
        ("delete", "/drivers/driver-alice/requests/req%00"),
        ("post", "/drivers/driver-alice/sessions/s%01/stop"),
        ("delete", "/drivers/driver-alice/favorites/CP%00"),
        ("post", "/drivers/driver-alice/notifications/note%00/read"),
    ],
)
def test_control_characters_in_ids_are_a_404_not_a_500(alice_client, cp, method, path):
    assert getattr(alice_client, method)(path).status_code == 404
