"""Create the Kafka topics the dashboard uses, if missing (partitions: KAFKA_TOPIC_PARTITIONS)."""

from confluent_kafka import KafkaException
from django.core.management.base import BaseCommand, CommandError

from central.gateway.kafka_config import dashboard_topics
from central.gateway.topics import kafka_topics_ensure


class Command(BaseCommand):
    help = "Create driver.requests, driver.updates and driver.ticket if they do not exist."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait for the broker.")

    def handle(self, *args, timeout, **options):
        topics = dashboard_topics()
        try:
            created = kafka_topics_ensure(topics, timeout=timeout)
        except KafkaException as exc:
            raise CommandError(f"Kafka broker unreachable: {exc}") from exc
        existing = [t for t in topics if t not in created]
        self.stdout.write(f"created: {', '.join(created) or '-'}; already there: {', '.join(existing) or '-'}")
