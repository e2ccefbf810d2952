"""config/http_cache.py: per-user ETags with 304 answers on the polled reads, and gzip for JSON only."""

import gzip

import pytest
from rest_framework.test import APIClient

from tests.factories import ChargingSessionFactory, NotificationFactory

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/drivers/driver-alice/notifications"

# Every GET a dashboard polls (history every 10th cycle); the sessions need a point (the `cp` fixture).
POLLED = [
    "/charging-points",
    "/charging-points/CP-001",
    "/drivers/driver-alice/sessions/current",
    "/drivers/driver-alice/notifications",
    "/drivers/driver-alice/alerts",
    "/sync-status",
    "/drivers/driver-alice/sessions/history",
]


@pytest.mark.parametrize("path", POLLED)
def test_an_unchanged_poll_is_answered_304_without_a_body(alice_client, cp, path):
    first = alice_client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]

    again = alice_client.get(path, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_change_answers_200_with_the_new_body_and_a_new_etag(alice, alice_client):
    first = alice_client.get(NOTIFICATIONS)
    assert first.json() == []

    NotificationFactory(driver=alice, message="Charging started")
    after = alice_client.get(NOTIFICATIONS, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert [note["message"] for note in after.json()] == ["Charging started"]
    assert after["ETag"] != first["ETag"]
    assert alice_client.get(NOTIFICATIONS, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


def test_a_session_changing_ends_the_304s_of_sessions_current(alice, alice_client, cp):
    url = "/drivers/driver-alice/sessions/current"
    idle = alice_client.get(url)
    assert idle.json() is None

    ChargingSessionFactory(driver=alice, charging_point=cp)
    changed = alice_client.get(url, HTTP_IF_NONE_MATCH=idle["ETag"])

    assert changed.status_code == 200
    assert changed.json()["status"] == "PENDING"


def test_two_drivers_with_the_same_body_get_different_etags(alice_client, bob_client, cp):
    alices = alice_client.get("/charging-points")
    bobs = bob_client.get("/charging-points")
    assert alices.content == bobs.content  # neither has a favorite or a home position

    assert alices["ETag"] != bobs["ETag"]
    assert bob_client.get("/charging-points", HTTP_IF_NONE_MATCH=alices["ETag"]).status_code == 200


def test_answers_say_they_depend_on_the_caller_and_are_revalidated(alice_client):
    response = alice_client.get(NOTIFICATIONS)

    vary = {name.strip().lower() for name in response["Vary"].split(",")}
    assert {"authorization", "cookie"} <= vary
    assert response["Cache-Control"] == "private, no-cache"


def test_a_304_keeps_the_cors_headers_of_a_cross_origin_poller(settings, alice_client):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    first = alice_client.get(NOTIFICATIONS, HTTP_ORIGIN="https://app.example")

    again = alice_client.get(NOTIFICATIONS, HTTP_ORIGIN="https://app.example", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "https://app.example"


def test_errors_and_writes_carry_no_etag(alice_client, cp):
    assert not alice_client.get("/drivers/driver-bob/notifications").has_header("ETag")  # 404
    response = alice_client.post("/drivers/driver-alice/favorites", {"cp_id": "CP-001"}, format="json")
    assert not response.has_header("ETag")


def test_the_setting_turns_the_etags_off(settings, alice_client):
    settings.API_CONDITIONAL_GET = False  # read when the client's handler builds its middleware, on its first request

    assert not alice_client.get(NOTIFICATIONS).has_header("ETag")


def test_json_is_gzipped_when_the_client_asks(alice, alice_client):
    for number in range(10):
        NotificationFactory(driver=alice, message=f"Session {number} completed, 12.5 kWh, EUR 4.20")
    plain = alice_client.get(NOTIFICATIONS)
    assert not plain.has_header("Content-Encoding")

    packed = alice_client.get(NOTIFICATIONS, HTTP_ACCEPT_ENCODING="gzip")

    assert packed["Content-Encoding"] == "gzip"
    assert "accept-encoding" in packed["Vary"].lower()
    assert len(packed.content) < len(plain.content)
    assert gzip.decompress(packed.content) == plain.content


def test_a_gzipped_answer_still_revalidates(alice, alice_client):
    for number in range(10):
        NotificationFactory(driver=alice, message=f"Session {number} completed, 12.5 kWh, EUR 4.20")
    packed = alice_client.get(NOTIFICATIONS, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["ETag"].startswith('W/"')  # gzip weakens the tag: the bytes differ, the content does not

    again = alice_client.get(NOTIFICATIONS, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])

    assert again.status_code == 304


def test_html_pages_are_not_gzipped(client, alice):
    client.force_login(alice.user)

    page = client.get("/", HTTP_ACCEPT_ENCODING="gzip")

    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert not page.has_header("Content-Encoding")


def test_anonymous_reads_work_as_before(cp):
    response = APIClient().get("/charging-points")

    assert response.status_code == 200
    assert [point["cp_id"] for point in response.json()] == ["CP-001"]
    assert response.has_header("ETag")
