"""Create the topics the dashboard uses, if missing (central creates them too; whoever is first wins)."""

import logging

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
from django.conf import settings

from central.gateway.kafka_config import admin_config, dashboard_topics

logger = logging.getLogger(__name__)


def kafka_topics_ensure(topics: list[str] | None = None, *, timeout: float = 10.0) -> list[str]:
    """Create each missing topic with KAFKA_TOPIC_PARTITIONS partitions; returns the ones created.

    Raises KafkaException when the broker cannot be reached within `timeout`.
    """
    topics = topics or dashboard_topics()
    admin = AdminClient(admin_config())
    existing = set(admin.list_topics(timeout=timeout).topics)
    missing = [t for t in topics if t not in existing]
    if not missing:
        return []
    futures = admin.create_topics(
        [
            NewTopic(
                topic,
                num_partitions=settings.KAFKA_TOPIC_PARTITIONS,
                replication_factor=settings.KAFKA_REPLICATION_FACTOR,
            )
            for topic in missing
        ],
        operation_timeout=timeout,
        request_timeout=timeout,
    )
    created = []
    for topic, future in futures.items():
        try:
            future.result(timeout=timeout)
            created.append(topic)
            logger.info("created Kafka topic %s (%s partitions)", topic, settings.KAFKA_TOPIC_PARTITIONS)
        except KafkaException as exc:
            if exc.args and exc.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue
            raise
    return created
