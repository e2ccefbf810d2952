"""The simulator seen as a foreign client sees central: a real tansu broker and real HTTP."""

import json
import time
import uuid

import pytest
import requests
from confluent_kafka import Consumer, Producer, TopicPartition

from simulator.engines import PointSpec
from simulator.kafka_io import EngineTopics
from simulator.runner import Simulator
from tests.fakes.central_kafka import kafka_settings  # noqa: F401 (a fixture)

POINTS = [
    PointSpec(cp_id="CP-001", power_kw=22.0, price_eur_per_kwh=0.30, city="Springfield"),
    PointSpec(cp_id="CP-002", power_kw=150.0, price_eur_per_kwh=0.55, city="Springfield"),
    PointSpec(cp_id="CP-003", power_kw=50.0, price_eur_per_kwh=0.42, city="Boston"),
]


class DashboardClient:
    """What a dashboard does: produce DriverRequests, read driver.updates / driver.ticket, call central's HTTP."""

    def __init__(self, sim: Simulator, bootstrap: str, updates_topic: str, tickets_topic: str):
        self.sim = sim
        self.base = sim.url
        self.producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"test-dashboard-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 10,
                "session.timeout.ms": 2000,
                "heartbeat.interval.ms": 500,
            }
        )
        # assign() instead of subscribe(): no group join wait.
        self.consumer.assign([TopicPartition(updates_topic, 0, 0), TopicPartition(tickets_topic, 0, 0)])
        self.updates_topic = updates_topic
        self.tickets_topic = tickets_topic
        self.updates: list[dict] = []
        self.tickets: list[dict] = []
        self.keys: list[tuple[str, str]] = []

    def request(self, driver_id: str, cp_id: str) -> str:
        request_id = f"req-{uuid.uuid4().hex[:8]}"
        message = {"request_id": request_id, "driver_id": driver_id, "cp_id": cp_id, "ts": "2026-11-23T12:00:00Z"}
        self.producer.produce(self.sim.requests_topic, key=driver_id.encode(), value=json.dumps(message).encode())
        self.producer.flush(5)
        return request_id

    def drain(self, seconds: float = 0.1) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            msg = self.consumer.poll(0.05)
            if msg is None or msg.error():
                continue
            value = json.loads(msg.value())
            self.keys.append((msg.topic(), msg.key().decode()))
            (self.updates if msg.topic() == self.updates_topic else self.tickets).append(value)

    def wait_update(self, timeout: float = 10.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for update in self.updates:
                if all(update.get(k) == v for k, v in match.items()):
                    return update
            if time.monotonic() > deadline:
                raise AssertionError(f"no update matching {match} within {timeout}s; got {self.updates}")
            self.drain(0.1)

    def updates_for(self, request_id: str, status: str | None = None) -> list[dict]:
        return [u for u in self.updates if u["request_id"] == request_id and (status is None or u["status"] == status)]

    def wait_ticket(self, session_id: str, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for ticket in self.tickets:
                if ticket["session_id"] == session_id:
                    return ticket
            if time.monotonic() > deadline:
                raise AssertionError(f"no ticket for {session_id} within {timeout}s; got {self.tickets}")
            self.drain(0.1)

    def cp(self, cp_id: str) -> dict:
        body = requests.get(f"{self.base}/cp", timeout=5).json()
        return next(p for p in body["charging_points"] if p["cp_id"] == cp_id)

    def stop(self, **body) -> requests.Response:
        return requests.post(f"{self.base}/stop-session", json=body, timeout=5)

    def admin(self, path: str, **body) -> requests.Response:
        return requests.post(f"{self.base}/sim/{path}", json=body, timeout=5)

    def close(self):
        self.consumer.close()


def start_simulator(kafka_broker, telemetry_interval: float = 0.25, **topics) -> Simulator:
    """A simulator on topics of its own (`requests_topic`, `updates_topic`, `tickets_topic` may be given)."""
    suffix = uuid.uuid4().hex[:8]
    sim = Simulator(
        POINTS,
        port=0,
        bootstrap=kafka_broker.bootstrap_servers,
        requests_topic=topics.get("requests_topic", f"driver.requests.{suffix}"),
        updates_topic=topics.get("updates_topic", f"driver.updates.{suffix}"),
        tickets_topic=topics.get("tickets_topic", f"driver.ticket.{suffix}"),
        group_id=f"central-controller-{suffix}",
        telemetry_interval=telemetry_interval,
        engine_topics=EngineTopics(*(f"{name}.{suffix}" for name in EngineTopics().names())),
    ).start()
    assert sim.consumer.ready.wait(15), "the simulator did not join its consumer group"
    return sim


@pytest.fixture
def sim(kafka_broker):
    simulator = start_simulator(kafka_broker)
    yield simulator
    simulator.stop()


@pytest.fixture
def dashboard(sim, kafka_broker):
    client = DashboardClient(sim, kafka_broker.bootstrap_servers, sim.emitter.updates_topic, sim.emitter.tickets_topic)
    yield client
    client.close()
