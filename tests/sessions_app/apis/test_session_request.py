"""POST /drivers/{driver_id}/requests."""

from datetime import UTC, datetime

import pytest
from django.conf import settings

from central.models import OutboxMessage
from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory

URL = "/drivers/driver-alice/requests"


def test_request_is_accepted_as_pending(alice, alice_client, cp):
    response = alice_client.post(URL, {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json")

    assert response.status_code == 202
    session = ChargingSession.objects.get(driver=alice)
    assert response.json() == {
        "session_id": f"pending-{session.request_id}",
        "request_id": session.request_id,
        "cp_id": "CP-001",
        "status": "PENDING",
        "queue_position": None,
        "started_at": None,
        "completed_at": None,
        "energy_kwh": None,
        "cost_eur": None,
    }
    assert session.request_id.startswith("req-")
    assert (session.status, session.vehicle_id, session.preferred_start) == ("PENDING", "vehicle-1", None)
    outbox = OutboxMessage.objects.get(session=session)
    assert outbox.topic == settings.KAFKA_TOPIC_REQUESTS
    assert outbox.payload["driver_id"] == "driver-alice"


def test_preferred_start_is_stored(alice, alice_client, cp):
    response = alice_client.post(
        URL, {"cp_id": "CP-001", "vehicle_id": "vehicle-1", "preferred_start": "2025-10-25T14:00:00Z"}, format="json"
    )

    assert response.status_code == 202
    assert ChargingSession.objects.get(driver=alice).preferred_start == datetime(2025, 10, 25, 14, tzinfo=UTC)


def test_unknown_point_is_a_404_and_creates_nothing(alice_client, cp):
    response = alice_client.post(URL, {"cp_id": "CP-999", "vehicle_id": "vehicle-1"}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Charging point not found"}
    assert not ChargingSession.objects.exists()


def test_second_request_while_one_is_open_is_a_409_naming_it(alice, alice_client, cp):
    open_session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.CHARGING)

    response = alice_client.post(URL, {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Driver already has an open session: {open_session.session_id} "
        f"(request {open_session.request_id}, CHARGING at CP-001)",
        "request_id": open_session.request_id,
        "session_id": open_session.session_id,
    }
    assert ChargingSession.objects.count() == 1


def test_a_finished_session_does_not_block_a_new_request(alice, alice_client, cp):
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.COMPLETED)

    assert alice_client.post(URL, {"cp_id": "CP-001", "vehicle_id": "v"}, format="json").status_code == 202


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"cp_id": "CP-001"}, "vehicle_id", "This field is required."),
        ({"vehicle_id": "vehicle-1"}, "cp_id", "This field is required."),
        ({"cp_id": "CP-001", "vehicle_id": ""}, "vehicle_id", "This field may not be blank."),
        ({"cp_id": "CP-001", "vehicle_id": "   "}, "vehicle_id", "This field may not be blank."),
        ({"cp_id": "CP-001", "vehicle_id": None}, "vehicle_id", "This field may not be null."),
        (
            {"cp_id": "CP-001", "vehicle_id": "v" * 65},
            "vehicle_id",
            "Ensure this field has no more than 64 characters.",
        ),
        (
            {"cp_id": "CP-001", "vehicle_id": "v", "preferred_start": "tomorrow"},
            "preferred_start",
            "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
        ),
    ],
)
def test_malformed_body_is_a_400_with_field_errors(alice_client, cp, body, field, message):
    response = alice_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid request payload", field: [message], "errors": {field: [message]}}
    assert not ChargingSession.objects.exists()


def test_body_that_is_not_json_is_a_400(alice_client, cp):
    response = alice_client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid request payload"


def test_body_that_is_a_list_is_a_400(alice_client, cp):
    response = alice_client.post(URL, [1, 2], format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid request payload"
    assert "non_field_errors" in response.json()


def test_another_drivers_path_is_a_404_and_creates_nothing(alice, bob_client, cp):
    response = bob_client.post(URL, {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Driver not found"}
    assert not ChargingSession.objects.exists()


def test_anonymous_request_is_a_401(alice, anon_client, cp):
    response = anon_client.post(URL, {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"
