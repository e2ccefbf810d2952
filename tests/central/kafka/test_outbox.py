"""The outbox: DriverRequests reach central after commit, survive a broker outage, and stop when moot."""

import time

import pytest
from django.utils import timezone

from central.gateway.producer import kafka_producers_reset
from central.gateway.tansu import TansuBroker, free_port
from central.gateway.topics import kafka_topics_ensure
from central.models import OutboxMessage
from central.sync.outbox import outbox_resend_unsent
from sessions_app.services.lifecycle import session_request
from sessions_app.services.timeouts import sessions_expire_unanswered
from sessions_app.status import SessionStatus
from tests.fakes.central_kafka import FakeCentralKafka, point_settings_at

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


def test_request_is_produced_after_commit_keyed_by_driver_and_marked_sent(alice, cp, central_kafka):
    session = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    message = central_kafka.next_request()
    assert message["key"] == "driver-alice"
    assert message["request_id"] == session.request_id
    assert (message["driver_id"], message["cp_id"]) == ("driver-alice", "CP-001")
    assert message["ts"].endswith("Z")
    row = OutboxMessage.objects.get(session=session)
    assert row.sent_at is not None and row.attempts == 1
    assert outbox_resend_unsent() == 0
    assert central_kafka.next_request(timeout=0.3) is None


@pytest.fixture
def broker_down(settings):
    """Bootstrap points at a port where no broker listens yet; producer timeouts are short."""
    port = free_port()
    names = point_settings_at(settings, f"127.0.0.1:{port}")
    settings.KAFKA_PRODUCER_OPTIONS = {**settings.KAFKA_PRODUCER_OPTIONS, "message.timeout.ms": "600"}
    settings.KAFKA_PRODUCE_FLUSH_SECONDS = 0.05
    settings.KAFKA_OUTBOX_RESEND_AFTER = 0.7
    yield port, names
    kafka_producers_reset()


def test_request_made_while_kafka_is_down_is_sent_when_it_is_back(alice, cp, broker_down):
    port, names = broker_down
    started = time.monotonic()
    session = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    assert time.monotonic() - started < 1.5  # the driver is not kept waiting for the broker
    row = OutboxMessage.objects.get(session=session)
    assert row.sent_at is None
    time.sleep(0.8)
    outbox_resend_unsent()
    assert OutboxMessage.objects.get(pk=row.pk).sent_at is None

    with TansuBroker(port=port):
        kafka_topics_ensure([names.requests, names.updates, names.tickets])
        time.sleep(0.8)  # the last attempt's copy has expired in the producer
        assert outbox_resend_unsent() == 1
        row.refresh_from_db()
        assert row.sent_at is not None and row.attempts == 3
        central = FakeCentralKafka(names)
        try:
            assert central.next_request()["request_id"] == session.request_id
            assert central.next_request(timeout=0.5) is None  # exactly one copy reached central
        finally:
            central.close()


def test_request_that_timed_out_is_no_longer_resent(alice, cp, broker_down, settings):
    session = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    settings.REQUEST_TIMEOUT_SECONDS = 0
    assert sessions_expire_unanswered(now=timezone.now()) == 1
    session.refresh_from_db()
    assert (session.status, session.reason) == (SessionStatus.FAILED, "Central did not answer")
    time.sleep(0.8)
    assert outbox_resend_unsent() == 0
    assert OutboxMessage.objects.get(session=session).attempts == 1


def test_overlapping_resends_claim_each_row_once(alice, cp, broker_down):
    session = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    row = OutboxMessage.objects.get(session=session)
    stale = OutboxMessage.objects.get(pk=row.pk)
    time.sleep(0.8)
    assert outbox_resend_unsent() == 1
    # A second run that read the row before the first claimed it cannot claim it again.
    assert OutboxMessage.objects.filter(pk=row.pk, attempts=stale.attempts).update(attempts=99) == 0
