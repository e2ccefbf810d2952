"""One confluent-kafka Producer per process, created lazily (after gunicorn or Celery fork)."""

import json
import logging
import os
import threading
import time

from confluent_kafka import Producer

from central.gateway.kafka_config import dashboard_topics, producer_config
from central.gateway.topics import kafka_topics_ensure

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_producers: dict[tuple, tuple[int, Producer]] = {}
_topics_checked: set[tuple] = set()
_topics_next_check: dict[tuple, float] = {}
TOPIC_CHECK_RETRY_SECONDS = 30.0


def kafka_producer() -> Producer:
    """The producer of this process for the current settings (a settings change gets a new one)."""
    config = producer_config()
    key = tuple(sorted((k, str(v)) for k, v in config.items()))
    pid = os.getpid()
    with _lock:
        cached = _producers.get(key)
        if cached is None or cached[0] != pid:
            # A producer inherited across fork() is unusable: build a fresh one in this process.
            _producers[key] = (pid, Producer(config))
        return _producers[key][1]


def _ensure_topics_once() -> None:
    # Producing to a missing topic would auto-create it with the broker's default partition count.
    # Checked once per process (retried at most every 30 s while the broker is down, so requests
    # made during an outage do not each wait for it).
    topics = tuple(dashboard_topics())
    if topics in _topics_checked or time.monotonic() < _topics_next_check.get(topics, 0.0):
        return
    try:
        kafka_topics_ensure(list(topics), timeout=0.5)
        _topics_checked.add(topics)
    except Exception as exc:  # broker down: the outbox keeps the message, the resend retries
        _topics_next_check[topics] = time.monotonic() + TOPIC_CHECK_RETRY_SECONDS
        logger.warning("could not check Kafka topics %s: %s", ", ".join(topics), exc)


def kafka_produce(*, topic: str, key: str, value: dict, on_delivery=None) -> Producer:
    """Queue one JSON message (key and value UTF-8) and serve pending delivery callbacks."""
    producer = kafka_producer()
    _ensure_topics_once()
    data = json.dumps(value, separators=(",", ":")).encode()
    try:
        producer.produce(topic, key=key.encode(), value=data, on_delivery=on_delivery)
    except BufferError:
        producer.poll(0.5)
        producer.produce(topic, key=key.encode(), value=data, on_delivery=on_delivery)
    producer.poll(0)
    return producer


def kafka_producers_reset() -> None:
    """Forget this process's producers (tests that restart brokers)."""
    with _lock:
        for _, producer in _producers.values():
            producer.flush(0)
        _producers.clear()
        _topics_checked.clear()
        _topics_next_check.clear()
