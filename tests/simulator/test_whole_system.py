"""The whole system, as `make run` starts it (manage.py run_stack → honcho → Procfile), against real services:
PostgreSQL (the test database), Redis (Celery), the tansu broker and the central simulator. Two drivers go through
a full session each over the REST API; one point goes offline in the middle of a charge (→ FAILED). Stopping the
runner leaves no process behind.
"""

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from central.gateway.tansu import free_port, port_open
from sessions_app.models import ChargingSession, SessionTransition
from tests.factories import ChargingPointFactory, DriverFactory, UserFactory
from tests.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

REDIS_URL = "redis://127.0.0.1:6379/5"


def _session_pids(sid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid=,sid=,args="], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.split()[1] == str(sid)]


class Stack:
    def __init__(self, web: str, central: str, log: Path):
        self.web = web
        self.central = central
        self.log = log

    def api(self, token: str, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Token {token}"}
        return requests.request(method, f"{self.web}{path}", headers=headers, timeout=10, **kwargs)

    def up(self, url: str) -> bool:
        try:
            return requests.get(url, timeout=3).status_code < 500
        except requests.RequestException:
            return False


@pytest.fixture
def stack(people, kafka_broker, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    web_port, sim_port, events_port = free_port(), free_port(), free_port()
    suffix = os.urandom(4).hex()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap_servers,
        "KAFKA_TOPIC_REQUESTS": f"driver.requests.{suffix}",
        "KAFKA_TOPIC_UPDATES": f"driver.updates.{suffix}",
        "KAFKA_TOPIC_TICKETS": f"driver.ticket.{suffix}",
        "KAFKA_CONSUMER_GROUP": f"driver-dashboard-{suffix}",
        "CENTRAL_HTTP_URL": f"http://127.0.0.1:{sim_port}",
        "SIMULATE_CENTRAL": "1",
        "SIMULATOR_PORT": str(sim_port),
        "DRIVER_DASHBOARD_PORT": str(web_port),
        "DRIVER_DASHBOARD_EVENTS_PORT": str(events_port),
        "CELERY_BEAT_SCHEDULE": str(tmp_path / "celerybeat-schedule"),
        "CENTRAL_POLL_INTERVAL": "0.5",
        "SESSION_LOST_GRACE_SECONDS": "2",
        "LOG_LEVEL": "INFO",
    }
    env.pop("TEST_DB_NAME", None)
    log = tmp_path / "stack.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_stack"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{sim_port}", log)
    stack.events = f"http://127.0.0.1:{events_port}"
    try:

        def ready():
            assert process.poll() is None, f"run_stack exited:\n{log.read_text()[-3000:]}"
            return all(stack.up(f"{url}/health") for url in (stack.central, stack.web, stack.events))

        wait_for(ready, 60, "web and central")
        yield stack
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        finally:
            # Nothing the runner started survives it.
            wait_for(lambda: not _session_pids(process.pid), 10, "every process of the runner to exit")
            assert not port_open(web_port) and not port_open(sim_port)


def _session_events_until_energy(events) -> list[str]:
    """The statuses of the stream's `session` events (repeats collapsed) until one shows energy delivered."""
    statuses, kind = [], None
    for line in events.iter_lines(chunk_size=1):
        if line.startswith(b"event: "):
            kind = line[7:]
        elif line.startswith(b"data: ") and kind == b"session":
            body = json.loads(line[6:])
            if body and (not statuses or statuses[-1] != body["status"]):
                statuses.append(body["status"])
            if body and body["status"] == "CHARGING" and (body["energy_kwh"] or 0) > 0:
                return statuses
    raise AssertionError(f"the stream ended after {statuses}")


def _path(request_id: str) -> list[tuple[str, str, str]]:
    rows = list(
        SessionTransition.objects.filter(session__request_id=request_id)
        .order_by("pk")
        .values_list("from_status", "to_status", "source")
    )
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row[0] == previous[1], rows
    return rows


RANK = {"PENDING": 0, "APPROVED": 1, "CHARGING": 2, "STOPPED": 3, "COMPLETED": 3, "FAILED": 3}


def _assert_forward(path: list[tuple[str, str, str]], last: str) -> None:
    """PENDING, (APPROVED: skipped when the poll sees the charge first), CHARGING, then `last`; never backwards."""
    statuses = [to for _, to, _ in path]
    assert statuses[0] == "PENDING" and "CHARGING" in statuses and statuses[-1] == last, path
    ranks = [RANK[status] for status in statuses]
    assert ranks == sorted(set(ranks)), f"a session moved backwards: {path}"


def _current(stack, token, driver_id):
    response = stack.api(token, "GET", f"/drivers/{driver_id}/sessions/current")
    assert response.status_code == 200, response.text
    return response.json()


def _charging(stack, token, driver_id):
    current = _current(stack, token, driver_id)
    return current if current and current["status"] == "CHARGING" and current["energy_kwh"] else None


@pytest.fixture
def people(transactional_db):
    alice = DriverFactory(user=UserFactory(username="alice"), driver_id="driver-alice")
    bob = DriverFactory(user=UserFactory(username="bob"), driver_id="driver-bob")
    ChargingPointFactory(cp_id="CP-101", power_kw=50.0, price_eur_per_kwh=Decimal("0.4000"))
    ChargingPointFactory(cp_id="CP-102", power_kw=22.0, price_eur_per_kwh=Decimal("0.3000"))
    return {
        "alice": Token.objects.get_or_create(user=alice.user)[0].key,
        "bob": Token.objects.get_or_create(user=bob.user)[0].key,
    }


def test_two_drivers_full_sessions_one_point_goes_offline(stack, people):
    alice, bob = people["alice"], people["bob"]
    # Alice's page has its live event stream open (the `events` process, fed through Redis by web and consumer).
    events = requests.get(
        f"{stack.events}/drivers/driver-alice/events",
        headers={"Authorization": f"Token {alice}"},
        stream=True,
        timeout=20,
    )
    assert events.status_code == 200

    # Both drivers ask for a charge at a free point.
    response = stack.api(
        alice, "POST", "/drivers/driver-alice/requests", json={"cp_id": "CP-101", "vehicle_id": "ev-1"}
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "PENDING"
    alice_request = response.json()["request_id"]
    response = stack.api(bob, "POST", "/drivers/driver-bob/requests", json={"cp_id": "CP-102", "vehicle_id": "ev-2"})
    assert response.status_code == 202, response.text
    bob_request = response.json()["request_id"]

    # Central accepts, the engines charge: energy and cost rise.
    first = wait_for(lambda: _charging(stack, alice, "driver-alice"), 20, "alice CHARGING with energy")
    assert first["session_id"].startswith("session-")
    later = wait_for(
        lambda: (c := _charging(stack, alice, "driver-alice")) and c["energy_kwh"] > first["energy_kwh"] and c,
        10,
        "alice's energy to rise",
    )
    assert later["cost_eur"] > first["cost_eur"]
    bob_charging = wait_for(lambda: _charging(stack, bob, "driver-bob"), 20, "bob CHARGING")
    # The stream told alice the same story as the API, as it happened: PENDING, APPROVED, CHARGING with energy.
    statuses = _session_events_until_energy(events)
    events.close()
    assert statuses[:3] == ["PENDING", "APPROVED", "CHARGING"], statuses

    # Bob's point drops off the network mid-charge; central says nothing (as in the field): the poll notices.
    response = requests.post(f"{stack.central}/sim/points/CP-102/offline", json={"silent": True}, timeout=5)
    assert response.status_code == 200

    # Alice stops her charge: STOPPED at once, the ticket's final numbers in history.
    session_id = later["session_id"]
    response = stack.api(alice, "POST", f"/drivers/driver-alice/sessions/{session_id}/stop")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "STOPPED"

    def alice_final():
        point = next(
            p
            for p in requests.get(f"{stack.central}/cp", timeout=5).json()["charging_points"]
            if p["cp_id"] == "CP-101"
        )
        if point["current_session"] is not None:
            return None
        history = stack.api(alice, "GET", "/drivers/driver-alice/sessions/history").json()
        entry = next((h for h in history if h["session_id"] == session_id), None)
        telemetry = point["telemetry"]
        if entry and telemetry["session_id"] == session_id and entry["energy_kwh"] == telemetry["kwh"]:
            return entry
        return None

    final = wait_for(alice_final, 20, "the ticket's numbers in alice's history")
    assert final["status"] == "STOPPED"
    assert final["energy_kwh"] >= later["energy_kwh"]
    assert final["cost_eur"] == pytest.approx(final["energy_kwh"] * 0.40, abs=1e-3)
    assert final["completed_at"] is not None

    def bob_failed():
        history = stack.api(bob, "GET", "/drivers/driver-bob/sessions/history").json()
        return next((h for h in history if h["request_id"] == bob_request and h["status"] == "FAILED"), None)

    failed = wait_for(bob_failed, 30, "bob's session FAILED")
    assert failed["session_id"] == bob_charging["session_id"]
    assert _current(stack, bob, "driver-bob") is None

    # The path each session took, as recorded by the dashboard (insertion order), each step from the last.
    alice_path = _path(alice_request)
    _assert_forward(alice_path, "STOPPED")
    assert ChargingSession.objects.get(request_id=alice_request).ticket_received_at is not None
    bob_path = _path(bob_request)
    _assert_forward(bob_path, "FAILED")
