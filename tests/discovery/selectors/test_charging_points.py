"""discovery.selectors (distance, wait estimate), with chargingpoints and central selectors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from central.models import CentralSyncState
from central.selectors import central_stale_after, central_sync_status
from chargingpoints.models import PointStatus
from chargingpoints.selectors import ChargingPointFilters, haversine_km
from discovery.selectors import charging_point_list
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [
        ((0.0, 0.0), (0.0, 1.0), 111.195),  # one degree of the equator: 2πR/360
        ((0.0, 0.0), (0.0, 180.0), 20015.115),  # half the circumference: πR
        ((90.0, 0.0), (-90.0, 0.0), 20015.115),  # pole to pole
        ((42.1015, -72.5898), (42.3601, -71.0589), 129.281),  # Springfield ↔ Boston
        ((40.4168, -3.7038), (41.3874, 2.1686), 505.096),  # Madrid ↔ Barcelona
        ((52.52, 13.405), (52.52, 13.405), 0.0),
    ],
)
def test_haversine_km(a, b, expected_km):
    assert haversine_km(*a, *b) == pytest.approx(expected_km, abs=0.001)


def test_haversine_is_symmetric():
    assert haversine_km(42.1, -72.5, 40.4, -3.7) == pytest.approx(haversine_km(40.4, -3.7, 42.1, -72.5))


def _estimate(point) -> tuple[int, int]:
    [item] = [p for p in charging_point_list(driver=None, filters=ChargingPointFilters()) if p.pk == point.pk]
    return item.queue_length, item.estimated_wait_minutes


def test_free_point_without_queue_waits_nothing(db):
    assert _estimate(ChargingPointFactory(status=PointStatus.FREE)) == (0, 0)


def test_denied_cancelled_and_open_sessions_do_not_count_as_history(db, settings):
    settings.DEFAULT_SESSION_MINUTES = 30
    settings.WAIT_MIN_HISTORY = 1
    point = ChargingPointFactory(status=PointStatus.FREE)
    now = timezone.now()
    ChargingSessionFactory(
        charging_point=point, status=SessionStatus.STOPPED, started_at=now - timedelta(minutes=45), completed_at=now
    )
    # Never charged, or not finished: they say nothing about how long a charge lasts.
    ChargingSessionFactory(charging_point=point, status=SessionStatus.DENIED, completed_at=now)
    ChargingSessionFactory(charging_point=point, status=SessionStatus.PENDING, queue_position=1)

    assert _estimate(point) == (1, 45)


def test_only_drivers_on_the_waiting_list_count_as_the_queue(db, settings):
    settings.DEFAULT_SESSION_MINUTES = 12
    point = ChargingPointFactory(status=PointStatus.OFFLINE)
    ChargingSessionFactory(charging_point=point, status=SessionStatus.APPROVED)  # with central, not waiting
    ChargingSessionFactory(charging_point=point, status=SessionStatus.PENDING)  # sent to central
    ChargingSessionFactory(charging_point=point, status=SessionStatus.PENDING, queue_position=1)
    ChargingSessionFactory(charging_point=point, status=SessionStatus.PENDING, queue_position=2)

    assert _estimate(point) == (2, 24)


def test_stale_after_follows_the_poll_interval(settings):
    settings.CENTRAL_POLL_INTERVAL = 1.5
    settings.CENTRAL_POLL_IDLE_INTERVAL = 8
    assert central_stale_after() == timedelta(seconds=10)
    settings.CENTRAL_POLL_INTERVAL = 4
    assert central_stale_after() == timedelta(seconds=20)


def test_stale_after_leaves_room_for_the_idle_pace_of_the_poll(settings):
    # While nobody needs it the poll runs every CENTRAL_POLL_IDLE_INTERVAL: a page opened then is not "stale".
    settings.CENTRAL_POLL_INTERVAL = 1.5
    settings.CENTRAL_POLL_IDLE_INTERVAL = 15
    assert central_stale_after() == timedelta(seconds=17)


def test_sync_status_turns_stale(db, settings):
    settings.CENTRAL_POLL_INTERVAL = 4
    now = timezone.now()
    CentralSyncState.objects.create(last_success_at=now - timedelta(seconds=19))

    assert central_sync_status(now=now).stale is False
    assert central_sync_status(now=now + timedelta(seconds=2)).stale is True
    assert central_sync_status(now=now).central_reachable is True
