"""Central's Kafka side, simulated: consume `driver.requests` in group `central-controller`, produce
`driver.updates` and `driver.ticket` keyed by `driver_id`. A small client of its own (confluent-kafka), so the
simulator does not depend on the dashboard's Kafka modules.

Robust to a broker that comes up later: topic creation is retried until the broker answers, and the clients
reconnect by themselves.
"""

import json
import logging
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from django.conf import settings

from simulator.central import CentralSim

logger = logging.getLogger(__name__)

# The four topics between central and the engines; central creates all seven at start-up.
ENGINE_TOPICS = ("central.commands", "cp.status", "cp.telemetry", "cp.session_end")
CENTRAL_GROUP = "central-controller"


# librdkafka's own log lines go through Python logging, readable and labelled like every other line.
CLIENT_LOGGER = logging.getLogger("kafka.simulator")


def _options(options: dict) -> dict:
    return {key: str(value) for key, value in options.items()}


def ensure_topics(bootstrap: str, topics: list[str], stop: threading.Event | None = None) -> bool:
    """Create the topics if missing, retrying until the broker answers. False when stopped first."""
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


class KafkaEmitter:
    """Produces DriverUpdates and SessionTickets, keyed by driver_id."""

    def __init__(self, bootstrap: str, updates_topic: str, tickets_topic: str, producer_options: dict):
        self.updates_topic = updates_topic
        self.tickets_topic = tickets_topic
        self.producer = Producer(
            {**_options(producer_options), "bootstrap.servers": bootstrap, "logger": CLIENT_LOGGER}
        )

    def _produce(self, topic: str, message: dict) -> None:
        self.producer.produce(
            topic,
            key=message["driver_id"].encode(),
            value=json.dumps(message).encode(),
            on_delivery=self._delivered,
        )
        self.producer.poll(0)

    @staticmethod
    def _delivered(err, msg) -> None:
        if err is not None:
            logger.error("delivery to %s failed: %s", msg.topic(), err)

    def update(self, message: dict) -> None:
        logger.debug("-> %s %s", self.updates_topic, message)
        self._produce(self.updates_topic, message)

    def ticket(self, message: dict) -> None:
        logger.debug("-> %s %s", self.tickets_topic, message)
        self._produce(self.tickets_topic, message)

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
            request = json.loads(raw or b"")
        except (ValueError, UnicodeDecodeError):
            logger.warning("ignoring a driver.requests message that is not JSON: %r", (raw or b"")[:200])
            return
        if not isinstance(request, dict):
            logger.warning("ignoring a driver.requests message that is not an object: %r", request)
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
