from tests.fakes.central_kafka import central_kafka, kafka_settings  # noqa: F401
