"""End to end through the REST API, the real tansu broker (central's Kafka side produced by the test)
and a real HTTP server playing central's GET /cp and POST /stop-session. Celery tasks run eagerly."""

import time

import pytest
from django.utils import timezone

from central.gateway.producer import kafka_producers_reset
from central.gateway.tansu import TansuBroker, free_port
from central.gateway.topics import kafka_topics_ensure
from central.models import DeadLetter
from central.tasks import (
    drain_central_events,
    expire_unanswered_requests,
    poll_central,
    resend_outbox,
)
from notifications.models import Notification
from sessions_app.models import ChargingSession
from tests.fakes.central_http import central_cp
from tests.fakes.central_kafka import FakeCentralKafka, point_settings_at

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REQUESTS = "/drivers/driver-alice/requests"
CURRENT = "/drivers/driver-alice/sessions/current"
HISTORY = "/drivers/driver-alice/sessions/history"


@pytest.fixture
def world(kafka_settings, central_kafka, fake_central, alice_client, cp):
    fake_central.charging_points = [central_cp("CP-001")]
    return central_kafka, fake_central, alice_client


def request_charge(client) -> dict:
    response = client.post(REQUESTS, {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "PENDING"
    return response.json()


def current(client) -> dict | None:
    response = client.get(CURRENT)
    assert response.status_code == 200
    return response.json()


def history(client) -> list[dict]:
    response = client.get(HISTORY)
    assert response.status_code == 200
    return response.json()


def supplying(session_id: str, kwh: float, euros: float) -> dict:
    return central_cp(
        "CP-001",
        engine_state="SUPPLYING",
        current_driver="driver-alice",
        current_session=session_id,
        telemetry={"kw": 22.0, "kwh": kwh, "euros": euros, "session_id": session_id},
    )


def session_notes(request_id: str) -> list[str]:
    return list(
        Notification.objects.filter(session__request_id=request_id, type=Notification.Type.SESSION)
        .order_by("id")
        .values_list("message", flat=True)
    )


def test_request_approved_charging_with_rising_figures_stopped_then_final_ticket(world):
    central, http, client = world
    created = request_charge(client)
    request = central.next_request()
    assert request["request_id"] == created["request_id"]
    session_id = central.accept(request)
    drain_central_events.delay()
    body = current(client)
    assert (body["status"], body["session_id"]) == ("APPROVED", session_id)

    central.update(request_id=request["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    drain_central_events.delay()
    http.charging_points = [supplying(session_id, 0.4, 0.17)]
    poll_central.delay()
    body = current(client)
    assert (body["status"], body["energy_kwh"], body["cost_eur"]) == ("CHARGING", 0.4, 0.17)
    assert body["started_at"] is not None
    http.charging_points = [supplying(session_id, 1.1, 0.46)]
    poll_central.delay()
    assert (current(client)["energy_kwh"], current(client)["cost_eur"]) == (1.1, 0.46)

    response = client.post(f"/drivers/driver-alice/sessions/{session_id}/stop")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["energy_kwh"]) == ("STOPPED", 1.1)
    assert http.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": session_id}]

    central.ticket(
        cp_id="CP-001",
        session_id=session_id,
        driver_id="driver-alice",
        energy_kwh=1.2345,
        total_cost_eur=0.52,
        start_time="2026-11-23T21:00:00Z",
        end_time="2026-11-23T21:10:00Z",
    )
    central.update(
        request_id=request["request_id"],
        driver_id="driver-alice",
        cp_id="CP-001",
        status="completed",
        session_id=session_id,
        reason="Session completed: 1.23 kWh, €0.52",
    )
    drain_central_events.delay()
    (finished,) = history(client)
    assert finished["status"] == "STOPPED"
    assert (finished["energy_kwh"], finished["cost_eur"]) == (1.2345, 0.52)
    assert (finished["started_at"], finished["completed_at"]) == ("2026-11-23T21:00:00Z", "2026-11-23T21:10:00Z")
    assert current(client) is None
    assert session_notes(request["request_id"]) == [
        "Session approved for CP-001",
        "Charging started at CP-001",
        "Charging stopped at CP-001: 1.10 kWh, €0.46",
        "Final figures for your session at CP-001: 1.23 kWh, €0.52",
    ]


def test_request_denied_with_centrals_reason(world):
    central, _, client = world
    request_charge(client)
    request = central.next_request()
    reason = "Charging point not available (state: SUPPLYING)"
    central.update(
        request_id=request["request_id"], driver_id="driver-alice", cp_id="CP-001", status="denied", reason=reason
    )
    drain_central_events.delay()
    assert current(client) is None
    (denied,) = history(client)
    assert denied["status"] == "DENIED"
    assert session_notes(request["request_id"]) == ["Request for CP-001 denied: This point is in use by someone else"]


def test_request_times_out_and_a_late_acceptance_is_stopped_at_central(world, settings):
    central, http, client = world
    created = request_charge(client)
    request = central.next_request()
    settings.REQUEST_TIMEOUT_SECONDS = 0.01
    time.sleep(0.02)
    expire_unanswered_requests.delay()
    assert current(client) is None
    assert history(client)[0]["status"] == "FAILED"
    assert session_notes(created["request_id"]) == ["Session at CP-001 failed: Central did not answer"]
    assert resend_outbox.delay().get() == 0

    session_id = central.accept(request)
    drain_central_events.delay()
    session = ChargingSession.objects.get(request_id=created["request_id"])
    assert session.status == "FAILED" and session.central_stopped_at is not None
    assert http.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": session_id}]


def test_cancel_before_acceptance_then_late_acceptance_is_stopped_at_central(world):
    central, http, client = world
    created = request_charge(client)
    request = central.next_request()
    assert client.delete(f"{REQUESTS}/{created['request_id']}").status_code == 204
    assert current(client) is None
    session_id = central.accept(request)
    central.update(request_id=request["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    drain_central_events.delay()
    assert http.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": session_id}]
    session = ChargingSession.objects.get(request_id=created["request_id"])
    assert (session.status, session.session_id) == ("CANCELLED", session_id)
    assert session_notes(created["request_id"]) == ["Request for CP-001 cancelled"]


def test_cancel_after_acceptance_stops_the_session_at_central(world):
    central, http, client = world
    created = request_charge(client)
    session_id = central.accept(central.next_request())
    drain_central_events.delay()
    assert client.delete(f"{REQUESTS}/{created['request_id']}").status_code == 204
    assert http.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": session_id}]
    session = ChargingSession.objects.get(request_id=created["request_id"])
    assert session.status == "CANCELLED" and session.central_stopped_at is not None
    # Central's late messages for it change nothing.
    central.update(request_id=created["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    drain_central_events.delay()
    assert ChargingSession.objects.get(pk=session.pk).status == "CANCELLED"
    assert len(http.stop_calls) == 1


def test_point_going_offline_mid_charge_without_a_word_from_central_fails_the_session(world, settings):
    central, http, client = world
    settings.SESSION_LOST_GRACE_SECONDS = 1.0
    request_charge(client)
    request = central.next_request()
    session_id = central.accept(request)
    central.update(request_id=request["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    drain_central_events.delay()
    http.charging_points = [supplying(session_id, 0.3, 0.13)]
    poll_central.delay()
    assert current(client)["status"] == "CHARGING"
    http.charging_points = [central_cp("CP-001", state="DISCONNECTED", telemetry=None)]
    poll_central.delay()
    assert current(client)["status"] == "CHARGING"  # within the grace period
    time.sleep(1.05)
    drain_central_events.delay()  # the consumer has caught up: no `completed` is waiting for this session
    poll_central.delay()
    assert current(client) is None
    (failed,) = history(client)
    assert failed["status"] == "FAILED" and failed["energy_kwh"] == 0.3
    assert session_notes(request["request_id"])[-1] == (
        "Session at CP-001 failed: Charging point CP-001 went offline (DISCONNECTED)"
    )


def test_duplicated_and_reordered_messages_have_one_effect(world):
    central, _, client = world
    created = request_charge(client)
    request = central.next_request()
    rid = request["request_id"]
    session_id = f"session-{rid[4:]}"
    # in_progress overtakes accepted; everything arrives twice; a stale in_progress follows the end.
    for _ in range(2):
        central.update(request_id=rid, driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    for _ in range(2):
        central.accept(request, session_id=session_id)
    drain_central_events.delay()
    assert (current(client)["status"], current(client)["session_id"]) == ("CHARGING", session_id)
    # Central sends the ticket before `completed`, but on another topic: Kafka does not order the two, and
    # one drain may fetch the updates partition first. Deliver the tickets first so the outcome is fixed.
    for _ in range(2):
        central.ticket(
            cp_id="CP-001", session_id=session_id, driver_id="driver-alice", energy_kwh=2.0, total_cost_eur=0.84
        )
    drain_central_events.delay()
    for _ in range(2):
        central.update(
            request_id=rid, driver_id="driver-alice", cp_id="CP-001", status="completed", session_id=session_id
        )
    central.update(request_id=rid, driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    drain_central_events.delay()
    (done,) = history(client)
    assert (done["session_id"], done["status"], done["energy_kwh"], done["cost_eur"]) == (
        session_id,
        "COMPLETED",
        2.0,
        0.84,
    )
    assert session_notes(created["request_id"]) == [
        "Charging started at CP-001",
        "Charging completed at CP-001: 2.00 kWh, €0.84",
    ]


def test_wrong_request_id_on_in_progress_and_completed(world):
    central, _, client = world
    first = request_charge(client)
    client.delete(f"{REQUESTS}/{first['request_id']}")
    central.next_request()
    second = request_charge(client)
    request = central.next_request()
    session_id = central.accept(request)
    drain_central_events.delay()
    # Central picks the driver's first open request it knows: the cancelled one.
    central.update(request_id=first["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    drain_central_events.delay()
    assert current(client)["status"] == "CHARGING"
    central.update(
        request_id=first["request_id"],
        driver_id="driver-alice",
        cp_id="CP-001",
        status="completed",
        session_id=session_id,
    )
    drain_central_events.delay()
    statuses = {s["request_id"]: s["status"] for s in history(client)}
    assert statuses == {first["request_id"]: "CANCELLED", second["request_id"]: "COMPLETED"}


def test_poison_message_is_stored_and_the_stream_goes_on(world, kafka_settings):
    central, _, client = world
    request_charge(client)
    request = central.next_request()
    central.send(kafka_settings.updates, "driver-alice", b"\x00\x01 garbage")
    central.accept(request)
    drain_central_events.delay()
    assert current(client)["status"] == "APPROVED"
    letter = DeadLetter.objects.get()
    assert (letter.topic, letter.offset, letter.value) == (kafka_settings.updates, 0, "\\x00\x01 garbage")


def test_kafka_down_while_requesting_then_back(settings, fake_central, alice_client, cp):
    port = free_port()
    names = point_settings_at(settings, f"127.0.0.1:{port}")
    settings.KAFKA_PRODUCER_OPTIONS = {**settings.KAFKA_PRODUCER_OPTIONS, "message.timeout.ms": "500"}
    settings.KAFKA_PRODUCE_FLUSH_SECONDS = 0.05
    settings.KAFKA_OUTBOX_RESEND_AFTER = 0.6
    try:
        started = time.monotonic()
        created = request_charge(alice_client)
        assert time.monotonic() - started < 2
        assert current(alice_client)["status"] == "PENDING"
        time.sleep(0.7)  # the producer's own copy expires: the outbox alone must bring the request across
        assert resend_outbox.delay().get() == 1  # still down: nothing lost, nothing sent
        assert current(alice_client)["status"] == "PENDING"
        with TansuBroker(port=port):
            kafka_topics_ensure([names.requests, names.updates, names.tickets])
            time.sleep(0.7)
            assert resend_outbox.delay().get() == 1
            central = FakeCentralKafka(names)
            try:
                request = central.next_request()
                assert request["request_id"] == created["request_id"]
                session_id = central.accept(request)
                drain_central_events.delay()
                body = current(alice_client)
                assert (body["status"], body["session_id"]) == ("APPROVED", session_id)
            finally:
                central.close()
    finally:
        kafka_producers_reset()
        from central.sync.consumer import central_events_drain_reset

        central_events_drain_reset()
    assert timezone.now()


@pytest.mark.parametrize(("stop_status", "expected"), [(403, 409), (404, 409), (500, 502)])
def test_stop_refused_or_failing_at_central_leaves_the_session_unchanged(world, stop_status, expected):
    central, http, client = world
    request_charge(client)
    session_id = central.accept(central.next_request())
    drain_central_events.delay()
    http.stop_status = stop_status
    response = client.post(f"/drivers/driver-alice/sessions/{session_id}/stop")
    assert response.status_code == expected
    assert response.json()["detail"]
    assert current(client)["status"] == "APPROVED"


def test_stop_with_central_unreachable_is_a_502_and_changes_nothing(world, settings):
    central, _, client = world
    request_charge(client)
    session_id = central.accept(central.next_request())
    drain_central_events.delay()
    settings.CENTRAL_HTTP_URL = f"http://127.0.0.1:{free_port()}"
    response = client.post(f"/drivers/driver-alice/sessions/{session_id}/stop")
    assert response.status_code == 502
    assert "unreachable" in response.json()["detail"]
    assert current(client)["status"] == "APPROVED"
