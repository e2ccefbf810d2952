"""Faults, for real: the consumer process killed with SIGKILL mid-session and restarted, and the tansu broker
stopped for 30 s and restarted. Central's Kafka side is produced by the test (FakeCentralKafka), its HTTP side
is a real local server; the dashboard's consumer is `manage.py consume_central_events` in its own process.
Each session must end in the right state, with one driver notification per state change. What Celery beat
would run meanwhile (outbox resend, time-outs, central stops owed) runs eagerly in the test process."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from central.gateway.producer import kafka_producers_reset
from central.gateway.tansu import TansuBroker, free_port
from central.gateway.topics import kafka_topics_ensure
from central.models import DeadLetter, OutboxMessage
from central.sync.consumer import central_events_drain_reset
from central.tasks import expire_unanswered_requests, resend_outbox, stop_abandoned_sessions
from notifications.models import Notification
from sessions_app.models import ChargingSession
from sessions_app.services.timeouts import NO_ANSWER_REASON
from tests.factories import ChargingPointFactory, DriverFactory, UserFactory
from tests.fakes.central_http import FakeCentralHTTP, central_cp
from tests.fakes.central_kafka import FakeCentralKafka, KafkaTestSettings, point_settings_at
from tests.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[3]
OUTAGE_SECONDS = 30.0
# Environment the test run may carry that would point the consumer elsewhere.
_FOREIGN = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CENTRAL_HTTP_URL", "DRIVER_DRIVER_ID"}


class ConsumerProcess:
    """`manage.py consume_central_events` with production settings on the test database, the test's topics
    and the fake central; its output goes to a file."""

    def __init__(self, names: KafkaTestSettings, central: FakeCentralHTTP, log_path: Path):
        db = django_settings.DATABASES["default"]
        inherited = {k: v for k, v in os.environ.items() if k not in _FOREIGN and not k.startswith("KAFKA_")}
        self.env = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "fault-test-secret-key-not-for-production-use",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "DB_CONN_MAX_AGE": "0",
            "KAFKA_BOOTSTRAP_SERVERS": names.bootstrap,
            "KAFKA_TOPIC_REQUESTS": names.requests,
            "KAFKA_TOPIC_UPDATES": names.updates,
            "KAFKA_TOPIC_TICKETS": names.tickets,
            "KAFKA_CONSUMER_GROUP": names.group,
            "CENTRAL_HTTP_URL": central.url,
            # A central stop the consumer queues runs at once in the consumer, instead of waiting in a Celery
            # broker no worker of this test reads (and the shared working tree's embedded one stays untouched).
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "DEBUG",
        }
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> "ConsumerProcess":
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "consume_central_events", "--poll-timeout", "0.2"],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the batch in hand is neither finished nor committed, the group is not left."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def consumers(tmp_path, fake_central):
    """Start consumer processes; whichever still runs is stopped at the end."""
    started: list[ConsumerProcess] = []

    def start(names: KafkaTestSettings) -> ConsumerProcess:
        consumer = ConsumerProcess(names, fake_central, tmp_path / f"consumer-{len(started) + 1}.log").start()
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        consumer.stop()


@pytest.fixture
def own_broker(settings, tmp_path):
    """A tansu broker of this test alone, on a fixed port so that it can be restarted there."""
    broker = TansuBroker(port=free_port(), log_path=tmp_path / "tansu.log").start()
    names = point_settings_at(settings, broker.bootstrap_servers)
    kafka_topics_ensure([names.requests, names.updates, names.tickets])
    yield broker, names
    # Clients first: tansu's graceful stop waits up to 5 s for connected ones.
    kafka_producers_reset()
    central_events_drain_reset()
    broker.stop()


@pytest.fixture
def cp2(db):
    return ChargingPointFactory(cp_id="CP-002", name="Harbour Charger", address="9 Dock Road")


@pytest.fixture
def carol_client(db):
    carol = DriverFactory(user=UserFactory(username="carol"), driver_id="driver-carol")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=carol.user).key}")
    return client


def request_charge(client, driver_id: str, cp_id: str) -> dict:
    response = client.post(f"/drivers/{driver_id}/requests", {"cp_id": cp_id, "vehicle_id": "vehicle-1"}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "PENDING"
    return response.json()


def stop_charge(client, driver_id: str, session_id: str) -> None:
    response = client.post(f"/drivers/{driver_id}/sessions/{session_id}/stop")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "STOPPED"


def stored(request_id: str) -> ChargingSession:
    return ChargingSession.objects.get(request_id=request_id)


def status_is(request_id: str, status: str):
    return lambda: stored(request_id).status == status


def session_notes(request_id: str) -> list[str]:
    return list(
        Notification.objects.filter(session__request_id=request_id, type=Notification.Type.SESSION)
        .order_by("id")
        .values_list("message", flat=True)
    )


def beat() -> None:
    """What Celery beat runs (eagerly here): the outbox resend, the time-outs, the central stops still owed."""
    resend_outbox.delay()
    expire_unanswered_requests.delay()
    stop_abandoned_sessions.delay()


def in_progress(central: FakeCentralKafka, request: dict) -> None:
    central.update(
        request_id=request["request_id"],
        driver_id=request["driver_id"],
        cp_id=request["cp_id"],
        status="in_progress",
        reason="Charging: 22.0 kW, €0.01",
    )


def end_at_central(central: FakeCentralKafka, request: dict, session_id: str, kwh: str, euros: str) -> None:
    """What central sends when a session ends: the ticket on driver.ticket, then `completed`."""
    central.ticket(
        cp_id=request["cp_id"],
        session_id=session_id,
        driver_id=request["driver_id"],
        energy_kwh=float(kwh),
        total_cost_eur=float(euros),
    )
    central.update(
        request_id=request["request_id"],
        driver_id=request["driver_id"],
        cp_id=request["cp_id"],
        status="completed",
        session_id=session_id,
        reason=f"Session completed: {kwh} kWh, €{euros}",
    )


def assert_ended(request_id: str, status: str, kwh: str, euros: str) -> None:
    session = stored(request_id)
    assert (session.status, session.energy_kwh, session.cost_eur) == (status, Decimal(kwh), Decimal(euros))
    assert session.ticket_received_at is not None


def assert_completed_notes(request_id: str, cp_id: str, kwh: str, euros: str) -> None:
    """APPROVED, CHARGING, COMPLETED once each. The completion names the ticket's figures, or (when `completed`
    was applied before the ticket, which Kafka's two topics allow) one "Final figures" note follows it."""
    notes = session_notes(request_id)
    assert notes[:2] == [f"Session approved for {cp_id}", f"Charging started at {cp_id}"], notes
    completed = f"Charging completed at {cp_id}: {kwh} kWh, €{euros}"
    final = f"Final figures for your session at {cp_id}: {kwh} kWh, €{euros}"
    assert notes[2:] == [completed] or (
        len(notes) == 4 and notes[2].startswith(f"Charging completed at {cp_id}: ") and notes[3] == final
    ), notes


def assert_stopped_notes(request_id: str, cp_id: str, kwh: str, euros: str) -> None:
    """APPROVED, CHARGING, STOPPED (with the figures known then), and the ticket's figures once."""
    notes = session_notes(request_id)
    assert notes[:2] == [f"Session approved for {cp_id}", f"Charging started at {cp_id}"], notes
    assert len(notes) == 4 and notes[2].startswith(f"Charging stopped at {cp_id}: "), notes
    assert notes[3] == f"Final figures for your session at {cp_id}: {kwh} kWh, €{euros}", notes


def test_consumer_killed_mid_session_and_restarted(
    kafka_settings, central_kafka, fake_central, consumers, alice_client, bob_client, cp, cp2
):
    central = central_kafka
    fake_central.charging_points = [central_cp("CP-001"), central_cp("CP-002")]
    consumer = consumers(kafka_settings)

    alice_created = request_charge(alice_client, "driver-alice", "CP-001")
    bob_created = request_charge(bob_client, "driver-bob", "CP-002")
    requests = {}
    for _ in range(2):
        request = central.next_request()
        requests[request["driver_id"]] = request
    alice, bob = requests["driver-alice"], requests["driver-bob"]
    assert (alice["request_id"], bob["request_id"]) == (alice_created["request_id"], bob_created["request_id"])
    alice_session = central.accept(alice)
    bob_session = central.accept(bob)
    for request in (alice, bob, alice, bob):
        in_progress(central, request)
    for request in (alice, bob):
        wait_for(status_is(request["request_id"], "CHARGING"), 20, f"{request['driver_id']} CHARGING")

    consumer.kill()
    assert not consumer.alive

    # While the consumer is dead central keeps charging, and Bob stops his session through the API: central
    # answers at once and sends his ticket and `completed`, which wait in Kafka.
    for request in (alice, bob):
        in_progress(central, request)
    fake_central.on_stop = lambda body: end_at_central(central, bob, body["session_id"], "0.55", "0.23")
    stop_charge(bob_client, "driver-bob", bob_session)
    assert fake_central.stop_calls == [{"cp_id": "CP-002", "driver_id": "driver-bob", "session_id": bob_session}]
    in_progress(central, alice)

    restarted = consumers(kafka_settings)
    in_progress(central, alice)
    end_at_central(central, alice, alice_session, "1.23", "0.52")

    wait_for(lambda: stored(alice["request_id"]).ticket_received_at, 30, "Alice's ticket applied after the restart")
    wait_for(lambda: stored(bob["request_id"]).ticket_received_at, 30, "Bob's ticket applied after the restart")
    assert_ended(alice["request_id"], "COMPLETED", "1.23", "0.52")
    assert_completed_notes(alice["request_id"], "CP-001", "1.23", "0.52")
    assert_ended(bob["request_id"], "STOPPED", "0.55", "0.23")
    assert_stopped_notes(bob["request_id"], "CP-002", "0.55", "0.23")
    assert fake_central.stop_calls == [{"cp_id": "CP-002", "driver_id": "driver-bob", "session_id": bob_session}]
    assert not DeadLetter.objects.exists()
    assert restarted.stop() == 0, restarted.output[-4000:]
    assert "Traceback" not in consumer.output + restarted.output, restarted.output[-4000:]


def test_broker_stopped_for_30_seconds_and_restarted(
    own_broker, settings, fake_central, consumers, alice_client, bob_client, carol_client, cp, cp2
):
    broker, names = own_broker
    ChargingPointFactory(cp_id="CP-003", name="Station Square Charger", address="3 Station Square")
    # The producer keeps a message 2 s and the outbox re-sends an unacknowledged one every 3 s (never two copies in
    # flight): after the outage only the outbox brings a request across.
    settings.KAFKA_PRODUCER_OPTIONS = {**settings.KAFKA_PRODUCER_OPTIONS, "message.timeout.ms": "2000"}
    settings.KAFKA_OUTBOX_RESEND_AFTER = 3.0
    # A request central has not answered within 20 s fails, whatever the reason. Bob's, made once the broker is
    # down, fails during the outage (its last copy expires several seconds before the broker is back): it must never
    # reach central. Carol's, made near the end of the outage, must go through once the broker is back.
    settings.REQUEST_TIMEOUT_SECONDS = 20.0
    fake_central.charging_points = [central_cp("CP-001"), central_cp("CP-002"), central_cp("CP-003")]
    consumer = consumers(names)
    central = FakeCentralKafka(names)
    try:
        alice_created = request_charge(alice_client, "driver-alice", "CP-001")
        alice = central.next_request()
        assert alice["request_id"] == alice_created["request_id"]
        alice_session = central.accept(alice)
        in_progress(central, alice)
        wait_for(status_is(alice["request_id"], "CHARGING"), 20, "Alice CHARGING before the outage")
    finally:
        central.close()

    broker.stop()
    outage_started = time.monotonic()

    started = time.monotonic()
    bob = request_charge(bob_client, "driver-bob", "CP-002")
    assert time.monotonic() - started < 2, "a request during the outage must not wait for the broker"
    stop_charge(alice_client, "driver-alice", alice_session)  # central's HTTP side works without Kafka

    def bob_failed():
        beat()
        return stored(bob["request_id"]).status == "FAILED"

    wait_for(bob_failed, OUTAGE_SECONDS - 5, "Bob's request to time out during the outage", interval=1.0)
    assert stored(bob["request_id"]).reason == NO_ANSWER_REASON
    while time.monotonic() - outage_started < OUTAGE_SECONDS - 3:
        beat()
        time.sleep(1.0)
    carol_created = request_charge(carol_client, "driver-carol", "CP-003")
    while time.monotonic() - outage_started < OUTAGE_SECONDS:
        beat()
        time.sleep(1.0)
    assert consumer.alive, consumer.output[-4000:]
    assert stored(carol_created["request_id"]).status == "PENDING"

    broker.start()
    kafka_topics_ensure([names.requests, names.updates, names.tickets])  # memory storage: central creates them again
    central = FakeCentralKafka(names)
    try:

        def request_at_central():
            beat()
            return central.next_request(timeout=0.5)

        carol = wait_for(request_at_central, 20, "the outbox to re-send Carol's request", interval=0.0)
        assert carol["request_id"] == carol_created["request_id"]
        carol_session = central.accept(carol)
        in_progress(central, carol)
        wait_for(status_is(carol["request_id"], "CHARGING"), 20, "the consumer to apply Carol's updates")
        end_at_central(central, alice, alice_session, "0.81", "0.34")
        in_progress(central, carol)
        end_at_central(central, carol, carol_session, "0.42", "0.18")

        def both_billed():
            beat()
            return all(stored(r["request_id"]).ticket_received_at for r in (alice, carol))

        wait_for(both_billed, 20, "both tickets applied")
        assert central.next_request(timeout=0.5) is None, "Bob's timed-out request reached central"
    finally:
        central.close()

    assert_ended(alice["request_id"], "STOPPED", "0.81", "0.34")
    assert_stopped_notes(alice["request_id"], "CP-001", "0.81", "0.34")
    assert_ended(carol["request_id"], "COMPLETED", "0.42", "0.18")
    assert_completed_notes(carol["request_id"], "CP-003", "0.42", "0.18")
    assert stored(bob["request_id"]).status == "FAILED"
    assert session_notes(bob["request_id"]) == [f"Session at CP-002 failed: {NO_ANSWER_REASON}"]
    assert OutboxMessage.objects.get(session__request_id=bob["request_id"]).sent_at is None
    assert fake_central.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": alice_session}]
    assert not DeadLetter.objects.exists()
    # The consumer process kept running through the outage and found the recreated topics by itself.
    assert consumer.alive, consumer.output[-4000:]
    assert consumer.stop() == 0, consumer.output[-4000:]
    assert "Traceback" not in consumer.output, consumer.output[-4000:]


def test_request_timed_out_while_the_broker_was_down_but_delivered_after_is_stopped_at_central(
    own_broker, settings, fake_central, consumers, bob_client, cp2
):
    broker, names = own_broker
    fake_central.charging_points = [central_cp("CP-002")]
    consumer = consumers(names)
    broker.stop()
    # Production producer settings: the producer keeps its copy of the request 10 s. The request times out
    # meanwhile, and the broker is back before the copy expires: central gets a request the driver was told failed.
    settings.REQUEST_TIMEOUT_SECONDS = 1.0
    bob = request_charge(bob_client, "driver-bob", "CP-002")

    def bob_failed():
        expire_unanswered_requests.delay()
        return stored(bob["request_id"]).status == "FAILED"

    wait_for(bob_failed, 5, "Bob's request to time out", interval=0.2)
    broker.start()
    kafka_topics_ensure([names.requests, names.updates, names.tickets])
    central = FakeCentralKafka(names)
    try:
        request = wait_for(lambda: central.next_request(timeout=0.5), 15, "the producer's copy to reach central")
        assert request["request_id"] == bob["request_id"]
        fake_central.on_stop = lambda body: end_at_central(central, request, body["session_id"], "0.01", "0.00")
        session_id = central.accept(request)

        wait_for(
            lambda: stored(bob["request_id"]).ticket_received_at,
            20,
            "the consumer to stop the late acceptance at central and apply its ticket",
        )
    finally:
        fake_central.on_stop = None
        central.close()

    session = stored(bob["request_id"])
    assert (session.status, session.energy_kwh, session.cost_eur) == ("FAILED", Decimal("0.01"), Decimal("0.00"))
    assert session.central_stopped_at is not None
    assert fake_central.stop_calls == [{"cp_id": "CP-002", "driver_id": "driver-bob", "session_id": session_id}]
    assert session_notes(bob["request_id"]) == [
        f"Session at CP-002 failed: {NO_ANSWER_REASON}",
        "Central accepted your request at CP-002 after it had timed out; it was stopped at once: 0.01 kWh, €0.00",
    ]
    assert not DeadLetter.objects.exists()
    assert consumer.stop() == 0, consumer.output[-4000:]
