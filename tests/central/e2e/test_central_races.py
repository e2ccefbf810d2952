"""Races between the driver, the poll and central's Kafka messages, end to end: the REST API, the real tansu
broker (central's Kafka side produced by the test) and a real HTTP server playing central's GET /cp and
POST /stop-session. Celery tasks run eagerly; "the consumer is down" means nothing drains Kafka meanwhile."""

import time

import pytest
from django.db import connection

from central.tasks import drain_central_events, expire_unanswered_requests, poll_central
from sessions_app.models import ChargingSession, SessionTransition
from tests.central.e2e.test_central_flows import (
    REQUESTS,
    current,
    history,
    request_charge,
    session_notes,
    supplying,
)
from tests.fakes.central_http import central_cp

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(kafka_settings, central_kafka, fake_central, alice_client, cp):
    fake_central.charging_points = [central_cp("CP-001")]
    return central_kafka, fake_central, alice_client


def start_charging(central, http, client) -> tuple[dict, str]:
    created = request_charge(client)
    request = central.next_request()
    session_id = central.accept(request)
    central.update(request_id=request["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    drain_central_events.delay()
    http.charging_points = [supplying(session_id, 0.11, 0.05)]
    poll_central.delay()
    assert current(client)["status"] == "CHARGING"
    return created, session_id


def ticket_and_completed(central, session_id: str, request_id: str, kwh: float, eur: float, *, order=("t", "c")):
    """Central's end of a session: the ticket on driver.ticket, `completed` on driver.updates, each applied
    before the next is sent (the two topics are not ordered with each other)."""
    for step in order:
        if step == "t":
            central.ticket(
                cp_id="CP-001", session_id=session_id, driver_id="driver-alice", energy_kwh=kwh, total_cost_eur=eur
            )
        else:
            central.update(
                request_id=request_id,
                driver_id="driver-alice",
                cp_id="CP-001",
                status="completed",
                session_id=session_id,
                reason=f"Session completed: {kwh:.2f} kWh, €{eur:.2f}",
            )
        drain_central_events.delay()


def transitions_to(request_id: str) -> list[str]:
    return list(
        SessionTransition.objects.filter(session__request_id=request_id)
        .order_by("id")
        .values_list("to_status", flat=True)
    )


@pytest.mark.parametrize("order", [("t", "c"), ("c", "t")], ids=["ticket-first", "completed-first"])
def test_stop_overtaken_by_centrals_end_answers_200_stopped_with_the_tickets_figures(world, order):
    central, http, client = world
    created, session_id = start_charging(central, http, client)

    def central_ends_it_before_answering(body):
        # A quick central: its ticket and `completed` reach the consumer before the API writes STOPPED.
        ticket_and_completed(central, session_id, created["request_id"], 0.4245, 0.1274, order=order)
        connection.close()  # this thread's database connection

    http.on_stop = central_ends_it_before_answering
    response = client.post(f"/drivers/driver-alice/sessions/{session_id}/stop")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["energy_kwh"], body["cost_eur"]) == ("STOPPED", 0.4245, 0.1274)
    again = client.post(f"/drivers/driver-alice/sessions/{session_id}/stop")
    assert (again.status_code, again.json()) == (200, body)
    assert len(http.stop_calls) == 1

    (finished,) = history(client)
    assert (finished["status"], finished["energy_kwh"], finished["cost_eur"]) == ("STOPPED", 0.4245, 0.1274)
    assert transitions_to(created["request_id"]) == ["PENDING", "APPROVED", "CHARGING", "STOPPED"]
    notes = session_notes(created["request_id"])
    if order == ("t", "c"):
        assert notes[-1] == "Charging stopped at CP-001: 0.42 kWh, €0.13"  # half-up, as central rounds
    else:
        assert notes[-2:] == [
            "Charging stopped at CP-001: 0.11 kWh, €0.05",
            "Final figures for your session at CP-001: 0.42 kWh, €0.13",
        ]


def test_stop_answered_before_centrals_end_still_ends_stopped_with_the_tickets_figures(world):
    central, http, client = world
    created, session_id = start_charging(central, http, client)
    response = client.post(f"/drivers/driver-alice/sessions/{session_id}/stop")
    assert (response.status_code, response.json()["status"]) == (200, "STOPPED")
    ticket_and_completed(central, session_id, created["request_id"], 0.4245, 0.1274)
    (finished,) = history(client)
    assert (finished["status"], finished["energy_kwh"]) == ("STOPPED", 0.4245)


def test_a_point_disconnected_in_the_poll_while_central_sends_in_progress_stays_charging(world, settings):
    central, http, client = world
    settings.SESSION_LOST_GRACE_SECONDS = 1.0
    created, session_id = start_charging(central, http, client)
    # The point's monitor drops: central shows it DISCONNECTED without the session, but its engine supplies
    # and central keeps forwarding telemetry as `in_progress`.
    http.charging_points = [central_cp("CP-001", state="DISCONNECTED", engine_state="DISCONNECTED")]
    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:
        central.update(request_id=created["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
        drain_central_events.delay()
        poll_central.delay()
        assert current(client)["status"] == "CHARGING"
        time.sleep(0.2)
    assert "FAILED" not in transitions_to(created["request_id"])


def test_a_session_the_dashboard_ends_while_central_holds_it_is_stopped_there_with_centrals_figures(world, settings):
    central, http, client = world
    settings.SESSION_LOST_GRACE_SECONDS = 1.0
    created, session_id = start_charging(central, http, client)
    # No word from central, and the poll shows the point offline, still holding the session, not supplying.
    http.charging_points = [central_cp("CP-001", state="DISCONNECTED", current_session=session_id)]
    poll_central.delay()
    time.sleep(1.1)
    drain_central_events.delay()  # the consumer has caught up: nothing is waiting for this session
    poll_central.delay()
    assert current(client) is None
    assert http.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": session_id}]
    session = ChargingSession.objects.get(request_id=created["request_id"])
    assert (session.status, session.central_stopped_at is not None) == ("FAILED", True)

    ticket_and_completed(central, session_id, created["request_id"], 0.40, 0.12)
    (finished,) = history(client)
    assert (finished["status"], finished["energy_kwh"], finished["cost_eur"]) == ("FAILED", 0.4, 0.12)
    assert finished["receipt_url"] == f"/receipts/{session_id}.pdf"
    assert session_notes(created["request_id"])[-2:] == [
        "Session at CP-001 failed: Charging point CP-001 went offline (DISCONNECTED)",
        "Your session at CP-001 ended (Charging point CP-001 went offline (DISCONNECTED)); "
        "it was stopped at central: 0.40 kWh, €0.12",
    ]


# The scenario seen in the field: the consumer paused 30 s (a restart, or lag) across a normal end, with the
# default 10 s grace period of the silence rule.
CONSUMER_PAUSE_SECONDS = 30.0


def test_consumer_paused_across_a_normal_end_completes_never_fails(world, settings):
    central, http, client = world
    settings.SESSION_LOST_GRACE_SECONDS = 10.0
    created, session_id = start_charging(central, http, client)
    # Central ends the session normally: the point lets it go, the ticket and `completed` wait in Kafka.
    http.charging_points = [
        central_cp("CP-001", telemetry={"kw": 0, "kwh": 0.5, "euros": 0.2, "session_id": session_id})
    ]
    central.ticket(cp_id="CP-001", session_id=session_id, driver_id="driver-alice", energy_kwh=0.5, total_cost_eur=0.2)
    central.update(
        request_id=created["request_id"],
        driver_id="driver-alice",
        cp_id="CP-001",
        status="completed",
        session_id=session_id,
        reason="Session completed: 0.50 kWh, €0.20",
    )
    deadline = time.monotonic() + CONSUMER_PAUSE_SECONDS
    while time.monotonic() < deadline:
        poll_central.delay()
        expire_unanswered_requests.delay()
        assert current(client)["status"] == "CHARGING"
        time.sleep(1.5)
    drain_central_events.delay()  # the consumer is back
    (finished,) = history(client)
    assert (finished["status"], finished["energy_kwh"], finished["cost_eur"]) == ("COMPLETED", 0.5, 0.2)
    assert "FAILED" not in transitions_to(created["request_id"])


def test_late_acceptance_after_a_cancel_is_stopped_and_its_figures_explained(world):
    central, http, client = world
    created = request_charge(client)
    request = central.next_request()
    assert client.delete(f"{REQUESTS}/{created['request_id']}").status_code == 204
    session_id = central.accept(request)  # central was slow: it accepts after the cancel
    central.update(request_id=request["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    drain_central_events.delay()
    assert http.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": session_id}]

    ticket_and_completed(central, session_id, created["request_id"], 0.42, 0.23)
    (cancelled,) = history(client)
    assert (cancelled["status"], cancelled["energy_kwh"], cancelled["cost_eur"]) == ("CANCELLED", 0.42, 0.23)
    assert session_notes(created["request_id"]) == [
        "Request for CP-001 cancelled",
        "Central accepted your request at CP-001 after you cancelled it; it was stopped at once: 0.42 kWh, €0.23",
    ]


def test_consumer_down_while_central_charges_the_request_follows_the_poll_and_never_fails(world, settings):
    central, http, client = world
    # Scaled down from the field (a 30 s time-out, the consumer down 50 s): the same rule at a tenth of the time.
    settings.REQUEST_TIMEOUT_SECONDS = 3.0
    created = request_charge(client)
    request = central.next_request()
    session_id = central.accept(request)
    central.update(request_id=request["request_id"], driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    http.charging_points = [supplying(session_id, 0.2, 0.06)]
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        poll_central.delay()
        expire_unanswered_requests.delay()
        time.sleep(0.5)
    body = current(client)
    assert (body["status"], body["session_id"], body["energy_kwh"]) == ("CHARGING", session_id, 0.2)

    drain_central_events.delay()  # the consumer is back: accepted and in_progress change nothing
    assert current(client)["status"] == "CHARGING"
    ticket_and_completed(central, session_id, created["request_id"], 0.3, 0.09)
    (finished,) = history(client)
    assert (finished["status"], finished["energy_kwh"]) == ("COMPLETED", 0.3)
    assert transitions_to(created["request_id"]) == ["PENDING", "CHARGING", "COMPLETED"]
    assert session_notes(created["request_id"]) == [
        "Charging started at CP-001",
        "Charging completed at CP-001: 0.30 kWh, €0.09",
    ]
