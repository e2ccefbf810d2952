"""Shared fixtures: API clients per driver, the fake central HTTP server, the local Kafka broker."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from central.gateway.tansu import TansuBroker, free_port
from tests.factories import ChargingPointFactory, DriverFactory, UserFactory
from tests.fakes.central_http import FakeCentralHTTP


@pytest.fixture
def alice(db):
    return DriverFactory(user=UserFactory(username="alice"), driver_id="driver-alice")


@pytest.fixture
def bob(db):
    return DriverFactory(user=UserFactory(username="bob"), driver_id="driver-bob")


def _client_for(driver) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=driver.user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def alice_client(alice):
    return _client_for(alice)


@pytest.fixture
def bob_client(bob):
    return _client_for(bob)


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def cp(db):
    return ChargingPointFactory(cp_id="CP-001", name="Downtown Fast Charger", address="123 Main St")


@pytest.fixture
def fake_central(settings):
    """A real HTTP server playing central's HTTP API; CENTRAL_HTTP_URL points at it."""
    server = FakeCentralHTTP().start()
    settings.CENTRAL_HTTP_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def central_unreachable(settings):
    """CENTRAL_HTTP_URL points at a loopback port nobody listens on."""
    settings.CENTRAL_HTTP_URL = f"http://127.0.0.1:{free_port()}"
    settings.CENTRAL_CONNECT_TIMEOUT = 0.5


@pytest.fixture(scope="session")
def kafka_broker():
    """One real tansu broker for the whole test run (memory storage, free loopback port)."""
    broker = TansuBroker().start()
    yield broker
    broker.stop()


@pytest.fixture
def consumer_caught_up(db):
    """Record that a running consumer of central's events has applied everything sent before `at` (default now):
    the poll's silence rule waits for that (sessions_app.selectors.consumers_caught_up_at)."""
    from django.utils import timezone

    from central.models import ConsumerProgress

    def mark(at=None):
        at = at or timezone.now()
        ConsumerProgress.objects.update_or_create(
            name="test-consumer", defaults={"caught_up_at": at, "heartbeat_at": timezone.now()}
        )

    return mark


@pytest.fixture
def published(settings):
    """The live events published to Redis during the test (its run's own stream, emptied first): call it for the
    list of (type, driver_id, data), oldest first."""
    import json

    import redis

    from events.publish import publisher

    client = redis.Redis.from_url(settings.EVENTS_REDIS_URL)
    client.delete(settings.EVENTS_STREAM)
    publisher.reset()

    def read():
        return [
            (f[b"type"].decode(), f[b"driver"].decode(), json.loads(f[b"data"]))
            for _, f in client.xrange(settings.EVENTS_STREAM)
        ]

    yield read
    client.close()
