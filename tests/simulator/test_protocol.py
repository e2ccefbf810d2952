"""The simulator speaks shared/docs/central-protocol.md: driven purely through Kafka and HTTP."""

import json
import re
import time

import pytest
import requests

from common.datetimes import parse_datetime_utc
from tests.simulator.conftest import start_simulator

pytestmark = pytest.mark.kafka

SESSION_ID = re.compile(r"^session-[0-9a-f]{8}$")
UPDATE_FIELDS = {"request_id", "driver_id", "cp_id", "status", "reason", "session_id", "ts"}
TICKET_FIELDS = {"cp_id", "session_id", "driver_id", "start_time", "end_time", "energy_kwh", "total_cost_eur", "ts"}
CP_FIELDS = {
    "cp_id",
    "state",
    "engine_state",
    "monitor_status",
    "city",
    "current_driver",
    "current_session",
    "last_update",
    "communication_status",
    "is_faulty",
    "fault_reason",
    "telemetry",
}


def test_a_full_session_accepted_charging_stopped_ticket_completed(dashboard):
    request_id = dashboard.request("driver-alice", "CP-001")

    accepted = dashboard.wait_update(request_id=request_id, status="accepted")
    assert set(accepted) == UPDATE_FIELDS
    assert accepted["reason"] == "Request accepted, starting charging"
    assert SESSION_ID.match(accepted["session_id"])
    assert accepted["ts"].endswith("Z")
    session_id = accepted["session_id"]

    point = dashboard.cp("CP-001")
    assert set(point) >= CP_FIELDS
    assert point["state"] == "ON"
    assert point["engine_state"] == "SUPPLYING"
    assert point["current_driver"] == "driver-alice"
    assert point["current_session"] == session_id

    # Telemetry every interval: in_progress without a session id, energy in GET /cp rising.
    dashboard.wait_update(request_id=request_id, status="in_progress")
    first = dashboard.cp("CP-001")["telemetry"]
    time.sleep(0.6)
    second = dashboard.cp("CP-001")["telemetry"]
    assert first["session_id"] == second["session_id"] == session_id
    assert first["kw"] == 22.0
    assert 0 < first["kwh"] < second["kwh"]
    assert second["euros"] == pytest.approx(second["kwh"] * 0.30, abs=1e-4)
    dashboard.drain(0.2)
    progress = dashboard.updates_for(request_id, "in_progress")
    assert len(progress) >= 2
    assert all(u["session_id"] is None for u in progress)
    assert all(re.match(r"^Charging: 22\.0 kW, €\d+\.\d\d$", u["reason"]) for u in progress)

    response = dashboard.stop(cp_id="CP-001", driver_id="driver-alice", session_id=session_id)
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "cp_id": "CP-001",
        "session_id": session_id,
        "message": response.json()["message"],
    }

    ticket = dashboard.wait_ticket(session_id)
    assert set(ticket) == TICKET_FIELDS
    assert ticket["cp_id"] == "CP-001" and ticket["driver_id"] == "driver-alice"
    start, end = parse_datetime_utc(ticket["start_time"]), parse_datetime_utc(ticket["end_time"])
    seconds = (end - start).total_seconds()
    assert ticket["energy_kwh"] == pytest.approx(22.0 * seconds / 3600, abs=1e-3)
    assert ticket["total_cost_eur"] == pytest.approx(ticket["energy_kwh"] * 0.30, abs=1e-3)
    assert ticket["energy_kwh"] >= second["kwh"]

    completed = dashboard.wait_update(request_id=request_id, status="completed")
    assert completed["session_id"] == session_id
    assert completed["reason"] == (
        f"Session completed: {ticket['energy_kwh']:.2f} kWh, €{ticket['total_cost_eur']:.2f}"
    )
    # The ticket goes out before `completed`, both keyed by driver_id.
    dashboard.drain(0.3)
    assert all(key == "driver-alice" for _, key in dashboard.keys)

    after = dashboard.cp("CP-001")
    assert after["engine_state"] == "ACTIVATED"
    assert after["current_driver"] is None and after["current_session"] is None
    # The telemetry keeps the last session's values.
    assert after["telemetry"]["session_id"] == session_id
    assert after["telemetry"]["kwh"] == ticket["energy_kwh"]
    # No more in_progress once completed.
    count = len(dashboard.updates_for(request_id, "in_progress"))
    dashboard.drain(0.6)
    assert len(dashboard.updates_for(request_id, "in_progress")) == count


def test_unknown_point_is_denied(dashboard):
    request_id = dashboard.request("driver-alice", "CP-999")
    denied = dashboard.wait_update(request_id=request_id)
    assert denied["status"] == "denied"
    assert denied["reason"] == "Charging point not found"
    assert denied["session_id"] is None


def test_busy_point_is_denied_at_once(dashboard):
    first = dashboard.request("driver-alice", "CP-002")
    dashboard.wait_update(request_id=first, status="accepted")
    second = dashboard.request("driver-bob", "CP-002")
    denied = dashboard.wait_update(request_id=second)
    assert denied["status"] == "denied"
    assert denied["reason"] == "Charging point not available (state: SUPPLYING)"
    assert denied["driver_id"] == "driver-bob"


def test_offline_point_is_denied_and_shown_disconnected(dashboard):
    assert dashboard.admin("points/CP-003/offline").status_code == 200
    point = dashboard.cp("CP-003")
    assert point["state"] == "DISCONNECTED" and point["monitor_status"] == "DOWN"

    request_id = dashboard.request("driver-alice", "CP-003")
    denied = dashboard.wait_update(request_id=request_id)
    assert denied["status"] == "denied"
    assert denied["reason"] == "Charging point not available (state: DISCONNECTED)"

    assert dashboard.admin("points/CP-003/online").status_code == 200
    again = dashboard.request("driver-alice", "CP-003")
    assert dashboard.wait_update(request_id=again)["status"] == "accepted"


def test_fault_mid_session_sends_no_terminal_update(dashboard):
    request_id = dashboard.request("driver-alice", "CP-001")
    session_id = dashboard.wait_update(request_id=request_id, status="accepted")["session_id"]
    dashboard.wait_update(request_id=request_id, status="in_progress")

    response = dashboard.admin("points/CP-001/fault", reason="Overheating")
    assert response.status_code == 200

    point = dashboard.cp("CP-001")
    assert point["state"] == "BROKEN"
    assert point["engine_state"] == "FAULT"
    assert point["is_faulty"] is True and point["fault_reason"] == "Overheating"
    assert point["current_session"] is None and point["current_driver"] is None
    assert point["telemetry"]["session_id"] == session_id

    count = len(dashboard.updates_for(request_id))
    dashboard.drain(1.0)
    late = dashboard.updates_for(request_id)[count:]
    assert late == [], "central sends nothing after a fault"
    assert not any(u["status"] in {"completed", "failed"} for u in dashboard.updates_for(request_id))
    assert dashboard.tickets == []
    events = requests.get(f"{dashboard.base}/cp", timeout=5).json()["system_events"]
    assert any(e["type"] == "FAILURE" and e["component"] == "CP-001" for e in events)


def test_offline_mid_session_sends_failed(dashboard):
    request_id = dashboard.request("driver-bob", "CP-003")
    session_id = dashboard.wait_update(request_id=request_id, status="accepted")["session_id"]
    dashboard.wait_update(request_id=request_id, status="in_progress")

    assert dashboard.admin("points/CP-003/offline").status_code == 200
    failed = dashboard.wait_update(request_id=request_id, status="failed")
    assert failed["reason"] == "Charging interrupted: DISCONNECTED"
    assert failed["session_id"] == session_id


def test_stop_session_errors(dashboard):
    request_id = dashboard.request("driver-alice", "CP-001")
    session_id = dashboard.wait_update(request_id=request_id, status="accepted")["session_id"]

    missing = dashboard.stop(cp_id="CP-001", driver_id="driver-alice")
    assert missing.status_code == 400 and missing.json()["success"] is False
    wrong_session = dashboard.stop(cp_id="CP-001", driver_id="driver-alice", session_id="session-00000000")
    assert wrong_session.status_code == 400
    wrong_driver = dashboard.stop(cp_id="CP-001", driver_id="driver-bob", session_id=session_id)
    assert wrong_driver.status_code == 403
    unknown = dashboard.stop(cp_id="CP-999", driver_id="driver-alice", session_id=session_id)
    assert unknown.status_code == 404
    idle = dashboard.stop(cp_id="CP-002", driver_id="driver-alice", session_id=session_id)
    assert idle.status_code == 400
    # None of these stopped the session.
    assert dashboard.cp("CP-001")["current_session"] == session_id


def test_health(sim):
    response = requests.get(f"{sim.url}/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "service": "ev-central"}


def test_session_limit_ends_the_session_like_a_stop(dashboard):
    assert dashboard.admin("session-limit", seconds=0.6).status_code == 200
    request_id = dashboard.request("driver-alice", "CP-002")
    session_id = dashboard.wait_update(request_id=request_id, status="accepted")["session_id"]
    ticket = dashboard.wait_ticket(session_id, timeout=5)
    assert ticket["energy_kwh"] > 0
    completed = dashboard.wait_update(request_id=request_id, status="completed")
    assert completed["session_id"] == session_id
    assert dashboard.cp("CP-002")["current_session"] is None


def test_deny_all(dashboard):
    assert dashboard.admin("deny-all", reason="Charging point not authorised").status_code == 200
    request_id = dashboard.request("driver-alice", "CP-001")
    denied = dashboard.wait_update(request_id=request_id)
    assert denied["status"] == "denied" and denied["reason"] == "Charging point not authorised"

    assert dashboard.admin("deny-all", enabled=False).status_code == 200
    again = dashboard.request("driver-alice", "CP-001")
    assert dashboard.wait_update(request_id=again)["status"] == "accepted"


def test_slow_central_answers_late(dashboard):
    assert dashboard.admin("slow", seconds=0.5).status_code == 200
    started = time.monotonic()
    assert requests.get(f"{dashboard.base}/health", timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.5
    request_id = dashboard.request("driver-alice", "CP-001")
    dashboard.wait_update(request_id=request_id, status="accepted")
    assert time.monotonic() - started >= 1.0
    assert dashboard.admin("reset").json()["knobs"]["slow_seconds"] == 0


def test_unreachable_central_refuses_connections_then_comes_back(dashboard):
    response = dashboard.admin("unreachable", seconds=1.0)
    assert response.status_code == 200
    time.sleep(0.4)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{dashboard.base}/health", timeout=2)
    # Requests sent meanwhile are answered once central is back.
    request_id = dashboard.request("driver-alice", "CP-001")
    dashboard.drain(0.2)
    assert dashboard.updates_for(request_id) == []
    deadline = time.monotonic() + 5
    while True:
        try:
            assert requests.get(f"{dashboard.base}/health", timeout=2).status_code == 200
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "central did not come back"
            time.sleep(0.1)
    assert dashboard.wait_update(request_id=request_id)["status"] == "accepted"


def test_telemetry_every_second_by_default(kafka_broker):
    sim = start_simulator(kafka_broker, telemetry_interval=1.0)
    try:
        from tests.simulator.conftest import DashboardClient

        client = DashboardClient(
            sim, kafka_broker.bootstrap_servers, sim.emitter.updates_topic, sim.emitter.tickets_topic
        )
        request_id = client.request("driver-alice", "CP-002")
        client.wait_update(request_id=request_id, status="accepted")
        client.drain(2.6)
        progress = client.updates_for(request_id, "in_progress")
        assert len(progress) == 2
        gap = (parse_datetime_utc(progress[1]["ts"]) - parse_datetime_utc(progress[0]["ts"])).total_seconds()
        assert gap == pytest.approx(1.0, abs=0.15)
        client.close()
    finally:
        sim.stop()


def test_a_request_delivered_twice_is_answered_once(dashboard):
    request_id = dashboard.request("driver-alice", "CP-001")
    dashboard.wait_update(request_id=request_id, status="accepted")
    producer_message = {
        "request_id": request_id,
        "driver_id": "driver-alice",
        "cp_id": "CP-001",
        "ts": "2026-11-23T12:00:00Z",
    }
    dashboard.producer.produce(
        dashboard.sim.requests_topic, key=b"driver-alice", value=json.dumps(producer_message).encode()
    )
    dashboard.producer.flush(5)
    dashboard.drain(0.8)
    statuses = [u["status"] for u in dashboard.updates_for(request_id)]
    assert statuses.count("accepted") == 1
    assert "denied" not in statuses
