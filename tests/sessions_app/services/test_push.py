"""The live `session` event: the `sessions/current` body, published after the commit of the status writer,
the telemetry and a new request; nothing when the transaction rolls back."""

import pytest
from django.db import transaction

from sessions_app.models import SessionTransition
from sessions_app.services.lifecycle import session_request
from sessions_app.services.telemetry import session_apply_telemetry
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory

pytestmark = pytest.mark.django_db


def session_events(published):
    return [(driver, data) for kind, driver, data in published() if kind == "session"]


def test_a_status_change_publishes_the_current_body_after_commit(
    alice, alice_client, cp, published, django_capture_on_commit_callbacks
):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        session_transition(session=session, to_status=SessionStatus.APPROVED, source=SessionTransition.Source.CENTRAL)
        assert published() == []

    body = alice_client.get("/drivers/driver-alice/sessions/current").json()
    assert body["status"] == "APPROVED"
    assert session_events(published) == [("driver-alice", body)]


def test_a_terminal_status_publishes_null(alice, cp, published, django_capture_on_commit_callbacks):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.CHARGING)

    with django_capture_on_commit_callbacks(execute=True):
        session_transition(session=session, to_status=SessionStatus.COMPLETED, source=SessionTransition.Source.CENTRAL)

    assert session_events(published) == [("driver-alice", None)]


def test_a_rolled_back_status_change_publishes_nothing(alice, cp, published, django_capture_on_commit_callbacks):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        session_transition(session=session, to_status=SessionStatus.APPROVED, source=SessionTransition.Source.CENTRAL)
        raise RuntimeError("the batch fails later")

    assert published() == []


def test_telemetry_publishes_the_new_energy_and_cost(
    alice, alice_client, cp, published, django_capture_on_commit_callbacks
):
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.CHARGING, session_id="session-9")

    with django_capture_on_commit_callbacks(execute=True):
        assert session_apply_telemetry(cp_pk=cp.pk, telemetry_session_id="session-9", kwh=1.25, euros=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        assert not session_apply_telemetry(cp_pk=cp.pk, telemetry_session_id="session-9", kwh=1.25, euros=0.5)

    body = alice_client.get("/drivers/driver-alice/sessions/current").json()
    assert (body["energy_kwh"], body["cost_eur"]) == (1.25, 0.5)
    assert session_events(published) == [("driver-alice", body)]  # the repeat changed nothing: no event


def test_a_new_request_publishes_its_pending_session(
    alice, alice_client, cp, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")

    body = alice_client.get("/drivers/driver-alice/sessions/current").json()
    assert body["status"] == "PENDING"
    assert ("driver-alice", body) in session_events(published)
