import uuid

import pytest
from confluent_kafka.admin import AdminClient
from django.core.management import call_command

pytestmark = pytest.mark.kafka


def test_create_kafka_topics_creates_missing_topics_with_configured_partitions(settings, kafka_broker, capsys):
    suffix = uuid.uuid4().hex[:8]
    settings.KAFKA_BOOTSTRAP_SERVERS = kafka_broker.bootstrap_servers
    settings.KAFKA_TOPIC_REQUESTS = f"driver.requests.{suffix}"
    settings.KAFKA_TOPIC_UPDATES = f"driver.updates.{suffix}"
    settings.KAFKA_TOPIC_TICKETS = f"driver.ticket.{suffix}"
    settings.KAFKA_TOPIC_PARTITIONS = 2
    call_command("create_kafka_topics", timeout=5)
    assert "created: driver.requests" in capsys.readouterr().out
    call_command("create_kafka_topics", timeout=5)
    assert capsys.readouterr().out.startswith("created: -; already there: driver.requests")
    topics = AdminClient({"bootstrap.servers": kafka_broker.bootstrap_servers}).list_topics(timeout=5).topics
    assert len(topics[f"driver.updates.{suffix}"].partitions) == 2
