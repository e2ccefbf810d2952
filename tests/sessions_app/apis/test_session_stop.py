"""POST /drivers/{driver_id}/sessions/{session_id}/stop (central's stop call answered by a real fake server)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory


def url(session_id: str, driver_id: str = "driver-alice") -> str:
    return f"/drivers/{driver_id}/sessions/{session_id}/stop"


@pytest.fixture
def charging(alice, cp):
    return ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        request_id="req-abc123",
        session_id="session-xyz789",
        status=SessionStatus.CHARGING,
        started_at=datetime(2025, 10, 25, 12, tzinfo=UTC),
        energy_kwh=Decimal("25.5000"),
        cost_eur=Decimal("10.7100"),
    )


def test_stop_tells_central_and_answers_the_stopped_session(alice_client, charging, fake_central):
    response = alice_client.post(url("session-xyz789"))

    assert response.status_code == 200
    charging.refresh_from_db()
    assert charging.status == SessionStatus.STOPPED
    assert charging.completed_at is not None
    assert response.json() == {
        "session_id": "session-xyz789",
        "request_id": "req-abc123",
        "cp_id": "CP-001",
        "status": "STOPPED",
        "started_at": "2025-10-25T12:00:00Z",
        "completed_at": charging.completed_at.isoformat().replace("+00:00", "Z"),
        "energy_kwh": 25.5,
        "cost_eur": 10.71,
    }
    assert response.json()["completed_at"].endswith("Z")
    assert fake_central.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": "session-xyz789"}]


def test_stopping_twice_answers_the_same_summary(alice_client, charging, fake_central):
    first = alice_client.post(url("session-xyz789"))
    second = alice_client.post(url("session-xyz789"))

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert len(fake_central.stop_calls) == 1


def test_unreachable_central_is_a_502_and_the_session_is_unchanged(alice_client, charging, central_unreachable):
    response = alice_client.post(url("session-xyz789"))

    assert response.status_code == 502
    assert response.json() == {"detail": "Central controller is unreachable; try again shortly"}
    charging.refresh_from_db()
    assert (charging.status, charging.completed_at) == (SessionStatus.CHARGING, None)


@pytest.mark.parametrize("central_status", [400, 403, 404])
def test_central_refusing_is_a_409_and_the_session_is_unchanged(alice_client, charging, fake_central, central_status):
    fake_central.stop_status = central_status

    response = alice_client.post(url("session-xyz789"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Central refused to stop the session: refused by fake central",
        "central_status": central_status,
    }
    charging.refresh_from_db()
    assert charging.status == SessionStatus.CHARGING


@pytest.mark.parametrize("status", [SessionStatus.PENDING, SessionStatus.COMPLETED, SessionStatus.CANCELLED])
def test_only_approved_or_charging_sessions_can_be_stopped(alice, alice_client, cp, fake_central, status):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=status)

    response = alice_client.post(url(session.session_id))

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Session {session.session_id} is {status}: only APPROVED or CHARGING sessions can be stopped",
        "status": status,
    }
    assert fake_central.stop_calls == []


def test_unknown_session_is_a_404(alice_client, cp, fake_central):
    response = alice_client.post(url("session-nothere"))

    assert response.status_code == 404
    assert response.json() == {"detail": "Session not found"}


def test_bob_cannot_stop_alices_session(bob_client, charging, fake_central):
    through_alices_path = bob_client.post(url("session-xyz789"))
    through_his_own_path = bob_client.post(url("session-xyz789", driver_id="driver-bob"))

    assert (through_alices_path.status_code, through_alices_path.json()) == (404, {"detail": "Driver not found"})
    assert (through_his_own_path.status_code, through_his_own_path.json()) == (404, {"detail": "Session not found"})
    assert fake_central.stop_calls == []
    assert ChargingSession.objects.get(pk=charging.pk).status == SessionStatus.CHARGING


def test_stop_names_centrals_session_when_its_acceptance_was_lost(alice_client, alice, cp, fake_central):
    # `accepted` never arrived; `in_progress` (session_id null) made it CHARGING; the poll shows central's id.
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.CHARGING)
    pending_id = session.session_id
    cp.central_session_id, cp.central_driver_id = "session-1234abcd", "driver-alice"
    cp.save()

    response = alice_client.post(url(pending_id))

    assert response.status_code == 200
    assert fake_central.stop_calls == [
        {"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": "session-1234abcd"}
    ]
    assert response.json()["session_id"] == "session-1234abcd"
    session.refresh_from_db()
    assert (session.status, session.session_id) == (SessionStatus.STOPPED, "session-1234abcd")
