"""GET /health/ready: the database, the Kafka broker (a real tansu) and the central poll."""

from datetime import timedelta

import pytest
from django.utils import timezone

from central.gateway.tansu import free_port
from central.models import CentralSyncState

URL = "/health/ready"


@pytest.fixture
def broker_up(settings, kafka_broker):
    settings.KAFKA_BOOTSTRAP_SERVERS = kafka_broker.bootstrap_servers
    return kafka_broker


@pytest.fixture
def broker_down(settings):
    settings.KAFKA_BOOTSTRAP_SERVERS = f"127.0.0.1:{free_port()}"


def _polled(seconds_ago: float) -> None:
    CentralSyncState.objects.update_or_create(
        singleton=1, defaults={"last_success_at": timezone.now() - timedelta(seconds=seconds_ago)}
    )


@pytest.mark.kafka
def test_ready_when_database_broker_and_poll_are_fine(client, db, broker_up):
    _polled(1)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "kafka": "ok", "central_poll": "ok"},
    }


@pytest.mark.kafka
def test_stale_poll_is_a_503_naming_the_central_poll(client, db, broker_up, settings):
    settings.CENTRAL_POLL_INTERVAL = 1.5
    _polled(60)

    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["detail"] == "Not ready: central_poll"
    assert body["checks"]["central_poll"] == "last successful poll of central 60s ago (limit 10s)"
    assert body["checks"]["kafka"] == "ok"


@pytest.mark.kafka
def test_never_polled_is_a_503(client, db, broker_up):
    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"]["central_poll"] == "no successful poll of central yet"


def test_broker_down_is_a_503_naming_kafka(client, db, broker_down):
    _polled(1)

    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["detail"] == "Not ready: kafka"
    assert body["checks"]["kafka"].startswith("unavailable at 127.0.0.1:")
    assert body["checks"]["database"] == "ok"


def test_several_failing_parts_are_all_named(client, db, broker_down):
    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["detail"] == "Not ready: kafka, central_poll"


def test_liveness_stays_healthy_without_the_broker(client, db, broker_down):
    response = client.get("/health")

    assert (response.status_code, response.json()) == (200, {"status": "healthy", "service": "driver-dashboard"})
