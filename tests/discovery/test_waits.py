"""discovery.waits: wait estimates from fabricated histories (median per point, power-class fallback)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chargingpoints.models import PointStatus
from discovery.selectors import charging_point_get
from discovery.waits import power_class, typical_minutes
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory

pytestmark = pytest.mark.django_db


def history(point, *minutes, status=SessionStatus.COMPLETED, days_ago=1):
    """Finished sessions at `point` of these lengths, the last one the most recent."""
    end = timezone.now() - timedelta(days=days_ago)
    for offset, length in enumerate(reversed(minutes)):
        finished = end - timedelta(hours=offset)
        ChargingSessionFactory(
            charging_point=point, status=status, started_at=finished - timedelta(minutes=length), completed_at=finished
        )


def test_typical_length_is_the_median_of_the_points_recent_sessions(settings):
    settings.WAIT_HISTORY_SESSIONS = 5
    point = ChargingPointFactory(power_kw=50)
    # Seven sessions: only the five most recent count (30, 35, 40, 45, 200 → median 40).
    history(point, 10, 10, 30, 35, 40, 45, 200)
    assert typical_minutes([point]) == {point.pk: 40}


def test_a_point_with_too_little_history_borrows_its_power_class(settings):
    settings.WAIT_MIN_HISTORY = 3
    settings.DEFAULT_SESSION_MINUTES = 30
    new = ChargingPointFactory(power_kw=22)
    history(new, 90)  # one session is not enough
    same_class = ChargingPointFactory(power_kw=11)
    history(same_class, 100, 120, 140)
    other_class = ChargingPointFactory(power_kw=150)
    history(other_class, 20, 20, 20)
    typical = typical_minutes([new, other_class])
    # The class's recent sessions (90, 100, 120, 140) → median 110; the fast point keeps its own 20.
    assert typical == {new.pk: 110, other_class.pk: 20}


def test_no_history_anywhere_uses_the_default(settings):
    settings.DEFAULT_SESSION_MINUTES = 25
    point = ChargingPointFactory(power_kw=7)
    assert typical_minutes([point]) == {point.pk: 25}


@pytest.mark.parametrize(("power", "klass"), [(3.7, 0), (7.4, 0), (11, 1), (22, 1), (50, 2), (150, 3)])
def test_power_classes(power, klass):
    assert power_class(power) == klass


def test_occupied_point_waits_for_the_rest_of_the_session_and_one_typical_session_per_driver_waiting(settings):
    point = ChargingPointFactory(status=PointStatus.OCCUPIED, power_kw=50)
    history(point, 40, 50, 60)
    ChargingSessionFactory(
        charging_point=point, status=SessionStatus.CHARGING, started_at=timezone.now() - timedelta(minutes=15)
    )
    for position in (1, 2):
        ChargingSessionFactory(charging_point=point, status=SessionStatus.PENDING, queue_position=position)
    detail = charging_point_get(cp_id=point.cp_id, driver=None)
    # 50 − 15 left, plus 2 × 50 for the drivers ahead.
    assert (detail.queue_length, detail.estimated_wait_minutes) == (2, 135)


def test_a_session_running_longer_than_usual_still_leaves_a_minute(settings):
    point = ChargingPointFactory(status=PointStatus.OCCUPIED, power_kw=50)
    history(point, 30, 30, 30)
    ChargingSessionFactory(
        charging_point=point, status=SessionStatus.CHARGING, started_at=timezone.now() - timedelta(minutes=90)
    )
    assert charging_point_get(cp_id=point.cp_id, driver=None).estimated_wait_minutes == 1


def test_a_free_point_with_nobody_waiting_is_free_now():
    point = ChargingPointFactory(status=PointStatus.FREE, power_kw=50)
    history(point, 30, 30, 30)
    assert charging_point_get(cp_id=point.cp_id, driver=None).estimated_wait_minutes == 0
