"""The Celery tasks, called eagerly (as beat would run them)."""

import pytest
from django.utils import timezone

from central.tasks import (
    drain_central_events,
    expire_unanswered_requests,
    resend_outbox,
    stop_abandoned_session_at_central,
    stop_abandoned_sessions,
)
from sessions_app.models import ChargingSession
from sessions_app.services.lifecycle import session_request
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory


@pytest.fixture
def abandoned(alice, cp):
    return ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        status=SessionStatus.CANCELLED,
        session_id="session-ab000001",
        central_stop_pending=True,
    )


@pytest.mark.django_db
def test_abandoned_session_is_stopped_at_central_and_stays_cancelled(abandoned, fake_central):
    stop_abandoned_session_at_central.delay(abandoned.pk)
    stop_abandoned_session_at_central.delay(abandoned.pk)
    abandoned.refresh_from_db()
    assert abandoned.status == SessionStatus.CANCELLED
    assert abandoned.central_stopped_at is not None and abandoned.central_stop_pending is False
    assert fake_central.stop_calls == [
        {"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": "session-ab000001"}
    ]


@pytest.mark.django_db
def test_stop_is_retried_while_central_is_unreachable(abandoned, central_unreachable, settings):
    stop_abandoned_session_at_central.delay(abandoned.pk)
    abandoned.refresh_from_db()
    assert abandoned.central_stop_pending is True and abandoned.central_stopped_at is None
    from tests.fakes.central_http import FakeCentralHTTP

    central = FakeCentralHTTP().start()
    try:
        settings.CENTRAL_HTTP_URL = central.url
        assert stop_abandoned_sessions.delay().get() == 1
        assert len(central.stop_calls) == 1
    finally:
        central.stop()
    abandoned.refresh_from_db()
    assert abandoned.central_stopped_at is not None


@pytest.mark.django_db
def test_central_refusing_the_stop_counts_as_stopped(abandoned, fake_central):
    fake_central.stop_status = 400  # no longer the point's current session: nothing is held
    stop_abandoned_session_at_central.delay(abandoned.pk)
    abandoned.refresh_from_db()
    assert abandoned.central_stopped_at is not None and abandoned.status == SessionStatus.CANCELLED


@pytest.mark.django_db
def test_expire_unanswered_requests_task(alice, cp, settings):
    settings.REQUEST_TIMEOUT_SECONDS = 30
    session = ChargingSessionFactory(
        driver=alice, charging_point=cp, requested_at=timezone.now() - timezone.timedelta(seconds=40)
    )
    assert expire_unanswered_requests.delay().get() == 1
    assert ChargingSession.objects.get(pk=session.pk).status == SessionStatus.FAILED


@pytest.mark.kafka
@pytest.mark.django_db(transaction=True)
def test_drain_task_reuses_one_consumer_and_applies_waiting_updates(alice, cp, kafka_settings, central_kafka):
    from central.sync import consumer as consumer_module

    session = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    request = central_kafka.next_request()
    central_kafka.accept(request)
    assert drain_central_events.delay().get() == 1
    first = consumer_module._drain_consumer[2]
    assert ChargingSession.objects.get(pk=session.pk).status == SessionStatus.APPROVED
    central_kafka.update(request_id=session.request_id, driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    assert drain_central_events.delay().get() == 1
    assert consumer_module._drain_consumer[2] is first  # no new consumer, no group re-join
    assert drain_central_events.delay().get() == 0
    assert ChargingSession.objects.get(pk=session.pk).status == SessionStatus.CHARGING
    assert resend_outbox.delay().get() == 0
