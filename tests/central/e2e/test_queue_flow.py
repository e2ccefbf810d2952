"""The waiting list end to end: the REST API, the real broker (central's side produced by the test) and a real
HTTP server playing central's GET /cp. Celery tasks run eagerly."""

import pytest

from central.tasks import drain_central_events, poll_central
from sessions_app.models import ChargingSession
from tests.central.e2e.test_central_flows import REQUESTS, current, supplying
from tests.fakes.central_http import central_cp

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(kafka_settings, central_kafka, fake_central, alice_client, cp):
    # Someone outside this dashboard charges at CP-001.
    fake_central.charging_points = [supplying("session-outside", 1.0, 0.4) | {"current_driver": "driver-stranger"}]
    poll_central.delay()
    return central_kafka, fake_central, alice_client


def test_a_queued_request_waits_is_sent_when_free_goes_back_to_the_head_when_taken_then_charges(world):
    central, http, client = world
    response = client.post(REQUESTS, {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json")
    assert (response.status_code, response.json()["status"], response.json()["queue_position"]) == (202, "PENDING", 1)
    assert central.next_request(timeout=1.0) is None  # not sent while the point is busy
    listed = client.get("/charging-points/CP-001").json()
    assert listed["queue_length"] == 1 and listed["estimated_wait_minutes"] > 0

    # The point turns free: the head goes to central, but someone outside takes the point first.
    http.charging_points = [central_cp("CP-001")]
    poll_central.delay()
    first = central.next_request()
    assert first["request_id"] == response.json()["request_id"] and current(client)["queue_position"] is None
    central.update(
        request_id=first["request_id"],
        driver_id="driver-alice",
        cp_id="CP-001",
        status="denied",
        reason="Charging point not available (state: SUPPLYING)",
    )
    http.charging_points = [supplying("session-other", 0.1, 0.04) | {"current_driver": "driver-stranger"}]
    drain_central_events.delay()
    poll_central.delay()
    assert (current(client)["status"], current(client)["queue_position"]) == ("PENDING", 1)

    # Free again: sent again, accepted this time.
    http.charging_points = [central_cp("CP-001")]
    poll_central.delay()
    second = central.next_request()
    assert second["request_id"] == first["request_id"]
    session_id = central.accept(second)
    drain_central_events.delay()
    assert (current(client)["status"], current(client)["session_id"]) == ("APPROVED", session_id)
    messages = list(
        ChargingSession.objects.get(request_id=first["request_id"])
        .notifications.filter(type="QUEUE")
        .order_by("id")
        .values_list("message", flat=True)
    )
    assert messages == [
        "You're next at CP-001: your request goes to central as soon as the point is free",
        "Your turn at CP-001: request sent to central",
        "CP-001 was taken just before your turn; you're back at the front of the queue",
        "Your turn at CP-001: request sent to central",
    ]


def test_a_second_driver_waits_behind_the_first_and_moves_up(world, bob_client):
    central, http, client = world
    client.post(REQUESTS, {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json")
    bob = bob_client.post("/drivers/driver-bob/requests", {"cp_id": "CP-001", "vehicle_id": "v"}, format="json")
    assert bob.json()["queue_position"] == 2
    http.charging_points = [central_cp("CP-001")]
    poll_central.delay()
    assert central.next_request()["driver_id"] == "driver-alice"
    assert bob_client.get("/drivers/driver-bob/sessions/current").json()["queue_position"] == 1
    assert central.next_request(timeout=1.0) is None  # alice's request is in flight: bob waits
