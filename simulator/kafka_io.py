"""Central's Kafka side, simulated: consume `driver.requests` in group `central-controller`, produce
`driver.updates` and `driver.ticket` keyed by `driver_id`, and what central and the engines tell each other on
`central.commands` and `cp.*` keyed by `cp_id`. A small client of its own (confluent-kafka), so the simulator does not
depend on the dashboard's Kafka modules; the messages are central's message types (`central.gateway.messages`).

Robust to a broker that comes up later: topic creation is retried until the broker answers, and the clients
reconnect by themselves.
"""

import logging
import socket
import threading
import time
from dataclasses import astuple, dataclass

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from django.conf import settings

from central.gateway.messages import (
    CentralCommand,
    CPStatus,
    CPTelemetry,
    DriverRequest,
    DriverUpdate,
    Message,
    PoisonMessage,
    SessionTicket,
)
from simulator.central import CentralSim, EngineMessage

logger = logging.getLogger(__name__)

CENTRAL_GROUP = "central-controller"


# librdkafka's own log lines go through Python logging, readable and labelled like every other line.
CLIENT_LOGGER = logging.getLogger("kafka.simulator")


def _options(options: dict) -> dict:
    return {key: str(value) for key, value in options.items()}


def _some_broker_listening(bootstrap: str) -> bool:
    for address in bootstrap.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=0.5):
                return True
        except (OSError, ValueError):
            continue
    return False


def wait_for_listener(bootstrap: str, stop: threading.Event | None) -> None:
    """Until a bootstrap address accepts connections (or 30 s): started with `make run`, the simulator often comes
    up before the local broker listens, and librdkafka logs every refused connection as an ERROR line."""
    deadline = time.monotonic() + 30
    told = False
    while not _some_broker_listening(bootstrap) and time.monotonic() < deadline and not (stop and stop.is_set()):
        if not told:
            logger.info("waiting for Kafka at %s to listen", bootstrap)
            told = True
        if stop:
            stop.wait(0.2)
        else:
            time.sleep(0.2)


def ensure_topics(bootstrap: str, topics: list[str], stop: threading.Event | None = None) -> bool:
    """Create the topics if missing, retrying until the broker answers. False when stopped first."""
    wait_for_listener(bootstrap, stop)
    admin = AdminClient({"bootstrap.servers": bootstrap, "logger": CLIENT_LOGGER})
    delay = 0.2
    while not (stop and stop.is_set()):
        new = [
            NewTopic(
                name,
                num_partitions=settings.KAFKA_TOPIC_PARTITIONS,
                replication_factor=settings.KAFKA_REPLICATION_FACTOR,
            )
            for name in topics
        ]
        try:
            futures = admin.create_topics(new, operation_timeout=5, request_timeout=5)
            for name, future in futures.items():
                try:
                    future.result()
                    logger.info("created topic %s", name)
                except KafkaException as exc:
                    if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                        raise
            return True
        except (KafkaException, RuntimeError) as exc:
            logger.warning("Kafka at %s not ready (%s); retrying in %.1fs", bootstrap, exc, delay)
            if stop:
                stop.wait(delay)
            else:
                time.sleep(delay)
            delay = min(delay * 2, 3.0)
    return False


@dataclass(frozen=True)
class EngineTopics:
    """The four topics between central and the engines; central creates all seven at start-up."""

    commands: str = "central.commands"
    status: str = "cp.status"
    telemetry: str = "cp.telemetry"
    session_end: str = "cp.session_end"

    def names(self) -> list[str]:
        return list(astuple(self))

    def topic_of(self, message: EngineMessage) -> str:
        if isinstance(message, CentralCommand):
            return self.commands
        if isinstance(message, CPStatus):
            return self.status
        if isinstance(message, CPTelemetry):
            return self.telemetry
        if isinstance(message, SessionTicket):
            return self.session_end
        raise TypeError(f"not a message between central and the engines: {type(message).__name__}")


class KafkaEmitter:
    """Produces DriverUpdates and SessionTickets keyed by driver_id, and the engine traffic keyed by cp_id."""

    def __init__(
        self,
        bootstrap: str,
        updates_topic: str,
        tickets_topic: str,
        producer_options: dict,
        engine_topics: EngineTopics | None = None,
    ):
        self.updates_topic = updates_topic
        self.tickets_topic = tickets_topic
        self.engine_topics = engine_topics or EngineTopics()
        self.producer = Producer(
            {**_options(producer_options), "bootstrap.servers": bootstrap, "logger": CLIENT_LOGGER}
        )

    def _produce(self, topic: str, key: str, message: Message) -> None:
        logger.debug("-> %s %s", topic, message)
        self.producer.produce(topic, key=key.encode(), value=message.to_bytes(), on_delivery=self._delivered)
        self.producer.poll(0)

    @staticmethod
    def _delivered(err, msg) -> None:
        if err is not None:
            logger.error("delivery to %s failed: %s", msg.topic(), err)

    def update(self, message: DriverUpdate) -> None:
        self._produce(self.updates_topic, message.driver_id, message)

    def ticket(self, message: SessionTicket) -> None:
        self._produce(self.tickets_topic, message.driver_id, message)

    def engine(self, message: EngineMessage) -> None:
        self._produce(self.engine_topics.topic_of(message), message.cp_id, message)

    def flush(self, timeout: float = 5.0) -> None:
        self.producer.flush(timeout)


class RequestConsumer:
    """A thread reading driver.requests and handing each DriverRequest to central."""

    def __init__(
        self,
        central: CentralSim,
        bootstrap: str,
        requests_topic: str,
        all_topics: list[str],
        consumer_options: dict,
        group_id: str = CENTRAL_GROUP,
    ):
        self.central = central
        self.bootstrap = bootstrap
        self.requests_topic = requests_topic
        self.all_topics = all_topics
        self.config = {
            **_options(consumer_options),
            "bootstrap.servers": bootstrap,
            "group.id": group_id,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": "true",
        }
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="central-requests", daemon=True)

    def start(self) -> "RequestConsumer":
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        if not ensure_topics(self.bootstrap, self.all_topics, self.stop_event):
            return
        consumer = Consumer({**self.config, "logger": CLIENT_LOGGER})
        consumer.subscribe([self.requests_topic], on_assign=lambda c, parts: self.ready.set())
        logger.info("consuming %s in group %s at %s", self.requests_topic, self.config["group.id"], self.bootstrap)
        try:
            while not self.stop_event.is_set():
                msg = consumer.poll(0.2)
                if msg is None:
                    continue
                if msg.error():
                    if msg.error().code() != KafkaError._PARTITION_EOF:
                        logger.warning("consumer error: %s", msg.error())
                    continue
                self._handle(msg.value())
        finally:
            consumer.close()

    def _handle(self, raw: bytes | None) -> None:
        try:
            request = DriverRequest.from_wire(raw)
        except PoisonMessage as exc:
            logger.warning(
                "ignoring a driver.requests message that is not a DriverRequest (%s): %r", exc, (raw or b"")[:200]
            )
            return
        # An unreachable central answers nothing until it is back; a slow one answers late.
        while self.central.unreachable_for() > 0 and not self.stop_event.is_set():
            self.stop_event.wait(min(0.2, self.central.unreachable_for()))
        if self.central.slow_seconds:
            self.stop_event.wait(self.central.slow_seconds)
        logger.debug("<- %s %s", self.requests_topic, request)
        try:
            self.central.handle_request(request)
        except Exception:  # one bad message must not stop central
            logger.exception("failed to handle DriverRequest %s", request)
