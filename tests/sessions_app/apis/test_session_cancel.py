"""DELETE /drivers/{driver_id}/requests/{request_id}."""

import pytest

from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory


def url(request_id: str, driver_id: str = "driver-alice") -> str:
    return f"/drivers/{driver_id}/requests/{request_id}"


def test_pending_request_is_cancelled(alice, alice_client, cp):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)

    response = alice_client.delete(url(session.request_id))

    assert response.status_code == 204
    assert response.content == b""
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.central_stop_pending is False
    assert SessionTransition.objects.filter(session=session, to_status="CANCELLED", source="DRIVER").count() == 1


def test_approved_request_is_cancelled_and_marked_for_a_stop_at_central(alice, alice_client, cp):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.APPROVED)

    assert alice_client.delete(url(session.request_id)).status_code == 204

    session.refresh_from_db()
    assert (session.status, session.central_stop_pending) == (SessionStatus.CANCELLED, True)


def test_cancelling_twice_is_harmless(alice, alice_client, cp):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)

    assert alice_client.delete(url(session.request_id)).status_code == 204
    assert alice_client.delete(url(session.request_id)).status_code == 204
    assert SessionTransition.objects.filter(session=session).count() == 1


def test_charging_session_cannot_be_cancelled(alice, alice_client, cp):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.CHARGING)

    response = alice_client.delete(url(session.request_id))

    assert response.status_code == 409
    assert response.json() == {"detail": "Charging has already started: stop the session instead", "status": "CHARGING"}
    session.refresh_from_db()
    assert session.status == SessionStatus.CHARGING


@pytest.mark.parametrize("status", [SessionStatus.COMPLETED, SessionStatus.DENIED, SessionStatus.STOPPED])
def test_finished_request_cannot_be_cancelled(alice, alice_client, cp, status):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=status)

    response = alice_client.delete(url(session.request_id))

    assert response.status_code == 409
    assert response.json() == {"detail": f"Request {session.request_id} is already {status}", "status": status}


def test_unknown_request_is_a_404(alice_client, cp):
    response = alice_client.delete(url("req-nothere"))

    assert response.status_code == 404
    assert response.json() == {"detail": "Session not found"}


def test_bob_cannot_cancel_alices_request(alice, bob, bob_client, cp):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)

    through_alices_path = bob_client.delete(url(session.request_id))
    through_his_own_path = bob_client.delete(url(session.request_id, driver_id="driver-bob"))

    assert (through_alices_path.status_code, through_alices_path.json()) == (404, {"detail": "Driver not found"})
    assert (through_his_own_path.status_code, through_his_own_path.json()) == (404, {"detail": "Session not found"})
    assert ChargingSession.objects.get(pk=session.pk).status == SessionStatus.PENDING


def test_request_approved_while_the_cancel_is_in_flight_is_still_stopped_at_central(
    alice, alice_client, cp, monkeypatch
):
    # The cancel reads the session as PENDING; central's approval lands before the cancel locks the row.
    from sessions_app.services import lifecycle

    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)
    read_before_approval = ChargingSession.objects.get(pk=session.pk)
    ChargingSession.objects.filter(pk=session.pk).update(status=SessionStatus.APPROVED)
    monkeypatch.setattr(lifecycle, "_own_session", lambda driver, **lookup: read_before_approval)

    assert alice_client.delete(url(session.request_id)).status_code == 204

    session.refresh_from_db()
    assert (session.status, session.central_stop_pending) == (SessionStatus.CANCELLED, True)
