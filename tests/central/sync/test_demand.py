"""Whether the poll of central is needed at its full pace (central/sync/demand.py): what each poll records, and
what a driver's activity adds. Beat's side (the schedule) is in tests/config/test_periodic.py."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from central.sync.demand import central_poll_needed, work_key
from central.tasks import poll_central
from common.activity import activity_forget_mark, activity_key, activity_mark
from drivers.models import Watch
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory
from tests.fakes.central_http import central_cp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_markers():
    cache.delete_many([activity_key(), work_key()])
    activity_forget_mark()
    yield
    cache.delete_many([activity_key(), work_key()])
    activity_forget_mark()


@pytest.fixture
def polled(cp, fake_central):
    """Run one poll of a central that reports `cp` FREE; returns whether it found follow-up work."""
    fake_central.charging_points = [central_cp(cp.cp_id)]

    def poll():
        result = poll_central.delay().get()
        assert result["reachable"] is True
        return result["work_pending"]

    return poll


def test_nothing_going_on_needs_no_full_pace(polled):
    assert polled() is False
    assert central_poll_needed() is False


@pytest.mark.parametrize("status", [SessionStatus.PENDING, SessionStatus.APPROVED, SessionStatus.CHARGING])
def test_an_open_session_or_request_needs_the_full_pace(polled, cp, status):
    session = ChargingSessionFactory(charging_point=cp, status=status)
    assert polled() is True
    assert central_poll_needed() is True

    session.status = SessionStatus.COMPLETED
    session.completed_at = timezone.now()
    session.save()
    assert polled() is False
    assert central_poll_needed() is False


def test_a_queued_request_needs_the_full_pace(polled, cp):
    ChargingSessionFactory(charging_point=cp, status=SessionStatus.PENDING, queue_position=1)
    assert polled() is True
    assert central_poll_needed() is True


def test_a_stop_still_owed_to_central_needs_the_full_pace(polled, cp):
    ChargingSessionFactory(charging_point=cp, status=SessionStatus.CANCELLED, central_stop_pending=True)
    assert polled() is True


def test_a_watch_on_a_busy_point_keeps_the_full_pace_until_it_expires(cp, fake_central, alice):
    fake_central.charging_points = [central_cp(cp.cp_id, engine_state="SUPPLYING", current_driver="driver-bob")]
    now = timezone.now()
    watch = Watch.objects.create(driver=alice, charging_point=cp, created_at=now, expires_at=now + timedelta(hours=1))

    assert poll_central.delay().get()["work_pending"] is True
    assert central_poll_needed() is True

    Watch.objects.filter(pk=watch.pk).update(created_at=now - timedelta(hours=3), expires_at=now - timedelta(seconds=1))
    assert poll_central.delay().get()["work_pending"] is False
    assert central_poll_needed() is False


def test_central_unreachable_needs_the_full_pace(cp, central_unreachable):
    result = poll_central.delay().get()

    assert result["reachable"] is False
    assert central_poll_needed() is True


def test_a_driver_active_lately_needs_the_full_pace_until_the_marker_runs_out(polled, settings):
    settings.CENTRAL_POLL_ACTIVE_SECONDS = 60
    assert polled() is False

    assert activity_mark() is True  # the first mark ends a quiet spell
    assert central_poll_needed() is True

    cache.delete(activity_key())  # what the marker's time-out does after CENTRAL_POLL_ACTIVE_SECONDS
    assert central_poll_needed() is False


def test_with_the_marking_off_a_request_marks_nothing(settings):
    settings.CENTRAL_POLL_ACTIVE_SECONDS = 0

    assert activity_mark() is False
    assert central_poll_needed() is False


def test_when_the_cache_cannot_answer_the_poll_keeps_its_full_pace(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)

    assert central_poll_needed() is True
