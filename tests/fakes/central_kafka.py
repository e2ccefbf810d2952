"""Central's Kafka side, faked at the protocol level: real messages on the real (tansu) broker.

`kafka_settings` points the dashboard at the session's broker with topic names and a consumer group
unique to the test, and creates the topics; `central_kafka` reads the dashboard's DriverRequests and
produces DriverUpdates and SessionTickets exactly as central would, built and read with central's message types
(`central.gateway.messages`): a message the protocol would reject cannot be sent by mistake (send raw values with
`send` to test poison messages).
"""

import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from central.gateway.messages import DriverRequest, DriverUpdate, Message, SessionTicket
from central.gateway.topics import kafka_topics_ensure
from central.sync.consumer import central_events_drain_reset

# The fake's client logs (connection refused while a test has stopped the broker) through Python logging.
QUIET = logging.getLogger("kafka.fake_central")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class KafkaTestSettings:
    bootstrap: str
    requests: str
    updates: str
    tickets: str
    group: str


def point_settings_at(settings, bootstrap: str) -> KafkaTestSettings:
    suffix = uuid.uuid4().hex[:8]
    settings.KAFKA_BOOTSTRAP_SERVERS = bootstrap
    settings.KAFKA_TOPIC_REQUESTS = f"driver.requests.{suffix}"
    settings.KAFKA_TOPIC_UPDATES = f"driver.updates.{suffix}"
    settings.KAFKA_TOPIC_TICKETS = f"driver.ticket.{suffix}"
    settings.KAFKA_CONSUMER_GROUP = f"dashboard-test-{suffix}"
    settings.KAFKA_DRAIN_MAX_SECONDS = 3.0
    return KafkaTestSettings(
        bootstrap=bootstrap,
        requests=settings.KAFKA_TOPIC_REQUESTS,
        updates=settings.KAFKA_TOPIC_UPDATES,
        tickets=settings.KAFKA_TOPIC_TICKETS,
        group=settings.KAFKA_CONSUMER_GROUP,
    )


@pytest.fixture
def kafka_settings(settings, kafka_broker):
    """Unique topics (created, 1 partition) and consumer group on the session's tansu broker."""
    names = point_settings_at(settings, kafka_broker.bootstrap_servers)
    kafka_topics_ensure([names.requests, names.updates, names.tickets])
    yield names
    central_events_drain_reset()


class FakeCentralKafka:
    def __init__(self, names: KafkaTestSettings):
        self.names = names
        self._producer = Producer({"bootstrap.servers": names.bootstrap, "linger.ms": 0, "logger": QUIET})
        self._requests: Consumer | None = None

    def next_request(self, timeout: float = 5.0) -> dict | None:
        """The next DriverRequest the dashboard produced (read with assign(): no group join), validated as central
        reads it (PoisonMessage if it is not one), as its wire dict plus the message's `key`."""
        if self._requests is None:
            self._requests = Consumer(
                {
                    "bootstrap.servers": self.names.bootstrap,
                    "group.id": f"fake-central-{uuid.uuid4().hex[:6]}",
                    "enable.auto.commit": False,
                    "fetch.wait.max.ms": 10,
                }
            )
            # Every partition the topic has: a producer that reaches a restarted (memory-storage) broker before the
            # topic is created again auto-creates it with the broker's default of 4 partitions.
            topic = self._requests.list_topics(self.names.requests, timeout=5).topics.get(self.names.requests)
            partitions = sorted(topic.partitions) if topic is not None and topic.partitions else [0]
            self._requests.assign([TopicPartition(self.names.requests, p, OFFSET_BEGINNING) for p in partitions])
        message = self._requests.poll(timeout)
        if message is None or message.error():
            return None
        return {"key": message.key().decode(), **DriverRequest.from_wire(message.value()).to_wire()}

    def send(self, topic: str, key: str, value) -> None:
        """Produce a message as is: a protocol message, or raw bytes / a dict (e.g. a poison message)."""
        if isinstance(value, Message):
            data = value.to_bytes()
        else:
            data = value if isinstance(value, bytes) else json.dumps(value).encode()
        self._producer.produce(topic, key=key.encode(), value=data)
        self._producer.flush(5)

    def update(self, *, request_id, driver_id, cp_id, status, reason="", session_id=None) -> dict:
        """A DriverUpdate on driver.updates, keyed by driver_id; returns what was sent (its wire dict)."""
        message = DriverUpdate(
            request_id=request_id,
            driver_id=driver_id,
            cp_id=cp_id,
            status=status,
            reason=reason,
            session_id=session_id,
            ts=now(),
        )
        self.send(self.names.updates, message.key, message)
        return message.to_wire()

    def accept(self, request: dict, session_id: str | None = None) -> str:
        session_id = session_id or f"session-{secrets.token_hex(4)}"
        self.update(
            request_id=request["request_id"],
            driver_id=request["driver_id"],
            cp_id=request["cp_id"],
            status="accepted",
            reason="Request accepted, starting charging",
            session_id=session_id,
        )
        return session_id

    def ticket(self, *, cp_id, session_id, driver_id, energy_kwh, total_cost_eur, start_time=None, end_time=None):
        """A SessionTicket on driver.ticket, keyed by driver_id; returns what was sent (its wire dict)."""
        message = SessionTicket(
            cp_id=cp_id,
            session_id=session_id,
            driver_id=driver_id,
            start_time=start_time or now(),
            end_time=end_time or now(),
            energy_kwh=energy_kwh,
            total_cost_eur=total_cost_eur,
            ts=now(),
        )
        self.send(self.names.tickets, message.key, message)
        return message.to_wire()

    def close(self) -> None:
        if self._requests is not None:
            self._requests.close()
        self._producer.flush(5)


@pytest.fixture
def central_kafka(kafka_settings):
    fake = FakeCentralKafka(kafka_settings)
    yield fake
    fake.close()
