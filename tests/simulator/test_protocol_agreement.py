"""The simulator and the product agree on the protocol: every message the simulator writes, on any of the seven
topics or over HTTP, is read by the product's message types and written to the letter (every optional field present,
`Z` datetimes); what the product sends (its DriverRequest through the outbox, its stop call) the simulator accepts."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from central.gateway.http import central_stop_session
from central.gateway.messages import (
    CentralCommand,
    CPStatus,
    CPTelemetry,
    DriverRequest,
    DriverUpdate,
    SessionTicket,
    StopRequest,
    StopResponse,
)
from central.sync.updates import central_event_decode
from sessions_app.services.lifecycle import session_request
from simulator.central import CentralSim, ListEmitter
from simulator.engines import PointSpec
from tests.simulator.conftest import start_simulator


def _engine_traffic(emitter: ListEmitter) -> list[tuple[str, str]]:
    names = []
    for message in emitter.engine_messages:
        if isinstance(message, CentralCommand):
            names.append(("command", message.cmd))
        elif isinstance(message, CPStatus):
            names.append(("status", message.state))
        elif isinstance(message, CPTelemetry):
            names.append(("telemetry", message.session_id))
        else:
            names.append(("session_end", message.session_id))
    return names


def test_central_and_the_engines_tell_each_other_what_the_protocol_says():
    clock = {"now": datetime(2026, 11, 23, 12, 0, tzinfo=UTC)}
    emitter = ListEmitter()
    points = [PointSpec(cp_id="CP-1", power_kw=36.0, price_eur_per_kwh=0.5), PointSpec("CP-2", 22.0, 0.3)]
    central = CentralSim(points, emitter, clock=lambda: clock["now"])

    central.handle_request(DriverRequest(request_id="req-00000001", driver_id="driver-x", cp_id="CP-1"))
    session_id = emitter.updates[0].session_id
    for _ in range(2):
        clock["now"] += timedelta(seconds=1)
        central.tick()
    assert central.stop_session(StopRequest(cp_id="CP-1", driver_id="driver-x", session_id=session_id))[0] == 200
    central.tick()
    assert _engine_traffic(emitter) == [
        ("command", "start_supply"),
        ("status", "SUPPLYING"),
        ("telemetry", session_id),
        ("telemetry", session_id),
        ("command", "stop_supply"),
        ("session_end", session_id),
        ("status", "ACTIVATED"),
    ]
    start = emitter.engine_messages[0]
    assert (start.cp_id, start.payload) == (
        "CP-1",
        {"driver_id": "driver-x", "request_id": "req-00000001", "session_id": session_id},
    )
    assert emitter.engine_messages[2].kwh == 0.01  # 36 kW for 1 s
    # The engine's ticket on cp.session_end is the one central forwards on driver.ticket.
    assert emitter.tickets == [emitter.engine_messages[5]]

    emitter.engine_messages.clear()
    central.fault("CP-2", reason="Overheating")
    central.set_state("CP-2", "OUT_OF_SERVICE")
    central.restore("CP-2")
    central.set_offline("CP-2")
    central.restore("CP-2")
    central.restore("CP-2")  # already in service: nothing to tell the engine
    assert _engine_traffic(emitter) == [
        ("status", "FAULT"),
        ("command", "stop_cp"),
        ("status", "STOPPED"),
        ("command", "resume_cp"),
        ("status", "ACTIVATED"),
        ("status", "DISCONNECTED"),
        ("command", "resume_cp"),
        ("status", "ACTIVATED"),
    ]
    assert emitter.engine_messages[0].reason == "Overheating"


class TopicReader:
    """Every message on the given topics, from the beginning (assign(): no group join)."""

    def __init__(self, bootstrap: str, topics: list[str]):
        self.consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": "protocol-agreement", "enable.auto.commit": False}
        )
        self.consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING) for topic in topics])
        self.seen: list[tuple[str, str, bytes]] = []

    def read_until(self, done, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"gave up waiting; read {[(t, json.loads(v)) for t, _, v in self.seen]}"
            message = self.consumer.poll(0.05)
            if message is not None and not message.error():
                self.seen.append((message.topic(), message.key().decode(), message.value()))

    def read_all(self, quiet: float = 0.5) -> None:
        """Read until nothing has arrived for `quiet` seconds."""
        last = time.monotonic()
        while time.monotonic() - last < quiet:
            message = self.consumer.poll(0.05)
            if message is not None and not message.error():
                self.seen.append((message.topic(), message.key().decode(), message.value()))
                last = time.monotonic()

    def values(self, topic: str) -> list[dict]:
        return [json.loads(value) for seen_topic, _, value in self.seen if seen_topic == topic]

    def close(self) -> None:
        self.consumer.close()


@pytest.mark.kafka
@pytest.mark.django_db(transaction=True)
def test_every_message_of_the_simulator_is_read_by_the_product_and_what_the_product_sends_is_accepted(
    alice,
    cp,
    kafka_broker,
    kafka_settings,
    settings,
):
    sim = start_simulator(
        kafka_broker,
        requests_topic=kafka_settings.requests,
        updates_topic=kafka_settings.updates,
        tickets_topic=kafka_settings.tickets,
    )
    settings.CENTRAL_HTTP_URL = sim.url
    engine = sim.emitter.engine_topics
    dashboard_topics = [kafka_settings.requests, kafka_settings.updates, kafka_settings.tickets]
    reader = TopicReader(kafka_broker.bootstrap_servers, [*dashboard_topics, *engine.names()])
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap_servers, "linger.ms": 0})

    def updates(**match):
        return [u for u in reader.values(kafka_settings.updates) if all(u[k] == v for k, v in match.items())]

    def request(driver_id: str, cp_id: str) -> str:
        message = DriverRequest(request_id=f"req-{uuid.uuid4().hex[:8]}", driver_id=driver_id, cp_id=cp_id)
        producer.produce(kafka_settings.requests, key=message.key.encode(), value=message.to_bytes())
        producer.flush(5)
        return message.request_id

    try:
        try:
            # The product's DriverRequest, through its outbox: the simulator accepts it and charges.
            session = session_request(driver=alice, cp_id="CP-001", vehicle_id="vehicle-1")
            reader.read_until(lambda: updates(request_id=session.request_id, status="in_progress"))
            (accepted,) = updates(request_id=session.request_id, status="accepted")
            # The product's stop call: the simulator accepts it, the engine ends the session.
            answer = central_stop_session(cp_id="CP-001", driver_id="driver-alice", session_id=accepted["session_id"])
            assert StopResponse.from_wire(answer) == StopResponse(
                success=True, cp_id="CP-001", session_id=accepted["session_id"], message="Stop command sent to CP-001"
            )
            reader.read_until(lambda: updates(request_id=session.request_id, status="completed"))

            # The other outcomes: failed (a disconnect mid-session), denied, and every engine state and command.
            bob = request("driver-bob", "CP-002")
            reader.read_until(lambda: updates(request_id=bob, status="in_progress"))
            sim.central.set_offline("CP-002")
            carol = request("driver-carol", "CP-002")
            sim.central.fault("CP-003", reason="Overheating")
            sim.central.set_state("CP-003", "OUT_OF_SERVICE")
            sim.central.restore("CP-003")
            reader.read_until(lambda: updates(request_id=bob, status="failed") and updates(request_id=carol))
            assert updates(request_id=carol)[0]["status"] == "denied"
            reader.read_until(lambda: len(reader.values(engine.status)) >= 7)
        finally:
            sim.stop()  # flushes what it produced
        reader.read_all()
    finally:
        reader.close()

    kinds = {
        kafka_settings.requests: DriverRequest,
        kafka_settings.updates: DriverUpdate,
        kafka_settings.tickets: SessionTicket,
        engine.commands: CentralCommand,
        engine.status: CPStatus,
        engine.telemetry: CPTelemetry,
        engine.session_end: SessionTicket,
    }
    read: dict[str, list] = {topic: [] for topic in kinds}
    for topic, key, raw in reader.seen:
        message = kinds[topic].from_wire(raw)
        assert json.loads(raw) == message.to_wire(), f"not written to the letter on {topic}: {raw!r}"
        assert kinds[topic].from_wire(message.to_wire()) == message
        assert key == (message.cp_id if topic in engine.names() else message.driver_id)
        if topic in (kafka_settings.updates, kafka_settings.tickets):
            assert central_event_decode(topic, raw) == message  # the product's own reading of central's events
        read[topic].append(message)

    assert [r.request_id for r in read[kafka_settings.requests]] == [session.request_id, bob, carol]
    assert {u.status for u in read[kafka_settings.updates]} == {
        "accepted",
        "in_progress",
        "completed",
        "failed",
        "denied",
    }
    assert {c.cmd for c in read[engine.commands]} == {"start_supply", "stop_supply", "stop_cp", "resume_cp"}
    assert {s.state for s in read[engine.status]} == {"SUPPLYING", "ACTIVATED", "DISCONNECTED", "FAULT", "STOPPED"}
    bobs_session = updates(request_id=bob, status="accepted")[0]["session_id"]
    assert {t.session_id for t in read[engine.telemetry]} == {accepted["session_id"], bobs_session}
    assert read[engine.session_end] == read[kafka_settings.tickets]
    assert [t.session_id for t in read[kafka_settings.tickets]] == [accepted["session_id"]]
