"""confluent-kafka client configurations, built from settings (never from constants).

Every option that differs between the local tansu broker and a production Kafka lives in
`KAFKA_CONSUMER_OPTIONS` / `KAFKA_PRODUCER_OPTIONS`; this module only adds what the dashboard needs.
"""

import logging

from django.conf import settings

# librdkafka's own log lines (connection failures, ...) go through Python logging, as readable lines
# in the processes' common format instead of raw "%3|...|FAIL|" lines on stderr.
CLIENT_LOGGER = logging.getLogger("kafka.client")


def producer_config() -> dict:
    return {
        "bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS,
        "client.id": "driver-dashboard",
        "logger": CLIENT_LOGGER,
        **settings.KAFKA_PRODUCER_OPTIONS,
    }


def consumer_config(group_id: str | None = None) -> dict:
    return {
        "bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS,
        "group.id": group_id or settings.KAFKA_CONSUMER_GROUP,
        "client.id": "driver-dashboard",
        # Offsets are committed by hand, after the database transaction that applied the messages.
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        # A new group reads what central sent before it joined (duplicates are harmless).
        "auto.offset.reset": "earliest",
        "logger": CLIENT_LOGGER,
        **settings.KAFKA_CONSUMER_OPTIONS,
    }


def admin_config() -> dict:
    return {"bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS, "logger": CLIENT_LOGGER}


def dashboard_topics() -> list[str]:
    return [settings.KAFKA_TOPIC_REQUESTS, settings.KAFKA_TOPIC_UPDATES, settings.KAFKA_TOPIC_TICKETS]


def incoming_topics() -> list[str]:
    return [settings.KAFKA_TOPIC_UPDATES, settings.KAFKA_TOPIC_TICKETS]
