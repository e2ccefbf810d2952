"""GET /drivers/{driver_id}/sessions/current."""

from datetime import UTC, datetime
from decimal import Decimal

from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory

URL = "/drivers/driver-alice/sessions/current"


def test_no_open_session_answers_json_null(alice, alice_client, cp):
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.COMPLETED)

    response = alice_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b"null"
    assert response.json() is None


def test_charging_session_with_live_energy_and_cost(alice, alice_client, cp):
    session = ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        request_id="req-abc123",
        session_id="session-xyz789",
        status=SessionStatus.CHARGING,
        started_at=datetime(2025, 10, 25, 12, tzinfo=UTC),
        energy_kwh=Decimal("15.5000"),
        cost_eur=Decimal("6.5123"),
    )

    response = alice_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "session_id": session.session_id,
        "request_id": "req-abc123",
        "cp_id": "CP-001",
        "status": "CHARGING",
        "queue_position": None,
        "started_at": "2025-10-25T12:00:00Z",
        "completed_at": None,
        "energy_kwh": 15.5,
        "cost_eur": 6.5123,
    }


def test_pending_session_shows_its_queue_position(alice, alice_client, cp):
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING, queue_position=2)

    body = alice_client.get(URL).json()

    assert (body["status"], body["queue_position"]) == ("PENDING", 2)


def test_only_the_drivers_own_session_is_shown(alice, bob, alice_client, bob_client, cp):
    ChargingSessionFactory(driver=bob, charging_point=cp, status=SessionStatus.CHARGING)

    assert alice_client.get(URL).json() is None
    assert bob_client.get(URL).status_code == 404
    assert bob_client.get(URL).json() == {"detail": "Driver not found"}
    assert bob_client.get("/drivers/driver-bob/sessions/current").json()["status"] == "CHARGING"


def test_schema_documents_that_the_current_session_may_be_null(anon_client):
    schema = anon_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    ok = schema["paths"]["/drivers/{driver_id}/sessions/current"]["get"]["responses"]["200"]
    body = ok["content"]["application/json"]["schema"]
    assert body == {"allOf": [{"$ref": "#/components/schemas/Session"}], "nullable": True}
