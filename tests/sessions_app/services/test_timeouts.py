"""Requests central never answers, and sessions central abandons without a word (silence)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from central.sync.poll import central_poll_once
from central.sync.silence import sessions_check_silence
from notifications.models import Notification
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.timeouts import sessions_expire_unanswered
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory
from tests.fakes.central_http import central_cp

pytestmark = pytest.mark.django_db


def test_unanswered_request_fails_after_the_timeout_once(alice, cp, settings):
    settings.REQUEST_TIMEOUT_SECONDS = 30
    now = timezone.now()
    old = ChargingSessionFactory(driver=alice, charging_point=cp, requested_at=now - timedelta(seconds=31))
    assert sessions_expire_unanswered(now=now) == 1
    assert sessions_expire_unanswered(now=now) == 0
    old.refresh_from_db()
    assert (old.status, old.reason) == (SessionStatus.FAILED, "Central did not answer")
    assert SessionTransition.objects.get(session=old, to_status="FAILED").source == "TIMEOUT"
    assert Notification.objects.get(session=old).message == "Session at CP-001 failed: Central did not answer"


def test_recent_or_answered_requests_do_not_time_out(alice, bob, cp, settings):
    settings.REQUEST_TIMEOUT_SECONDS = 30
    now = timezone.now()
    ChargingSessionFactory(driver=alice, charging_point=cp, requested_at=now - timedelta(seconds=10))
    ChargingSessionFactory(
        driver=bob, charging_point=cp, status=SessionStatus.APPROVED, requested_at=now - timedelta(seconds=60)
    )
    assert sessions_expire_unanswered(now=now) == 0


def charging(alice, cp, **fields):
    return ChargingSessionFactory(
        driver=alice, charging_point=cp, status=SessionStatus.CHARGING, session_id="session-s1", **fields
    )


def test_session_held_by_its_point_stays_and_is_marked_seen(alice, cp, fake_central):
    session = charging(alice, cp, started_at=timezone.now() - timedelta(minutes=5))
    fake_central.charging_points = [
        central_cp("CP-001", engine_state="SUPPLYING", current_driver="driver-alice", current_session="session-s1")
    ]
    central_poll_once()
    session.refresh_from_db()
    assert session.status == SessionStatus.CHARGING and session.last_seen_at_point is not None


@pytest.mark.parametrize(
    ("point", "reason"),
    [
        (central_cp("CP-001", state="DISCONNECTED"), "Charging point CP-001 went offline (DISCONNECTED)"),
        (central_cp("CP-001"), "Central no longer runs this session at CP-001"),
        (central_cp("CP-001", current_session="session-other"), "Central no longer runs this session at CP-001"),
    ],
)
def test_session_its_point_no_longer_holds_fails_after_the_grace_period(
    alice, cp, fake_central, settings, consumer_caught_up, point, reason
):
    settings.SESSION_LOST_GRACE_SECONDS = 10
    seen = timezone.now() - timedelta(seconds=5)
    session = charging(alice, cp, started_at=seen, last_seen_at_point=seen)
    fake_central.charging_points = [point]
    central_poll_once()
    assert ChargingSession.objects.get(pk=session.pk).status == SessionStatus.CHARGING  # within grace
    consumer_caught_up(at=timezone.now() + timedelta(seconds=6))
    assert sessions_check_silence(now=timezone.now() + timedelta(seconds=6)) == 1
    assert sessions_check_silence(now=timezone.now() + timedelta(seconds=7)) == 0
    session.refresh_from_db()
    assert (session.status, session.reason) == (SessionStatus.FAILED, reason)
    assert Notification.objects.get(session=session).message == f"Session at CP-001 failed: {reason}"


def test_approved_session_whose_point_supplies_it_becomes_charging(alice, cp, fake_central):
    session = ChargingSessionFactory(
        driver=alice, charging_point=cp, status=SessionStatus.APPROVED, session_id="session-s2"
    )
    fake_central.charging_points = [
        central_cp("CP-001", engine_state="SUPPLYING", current_driver="driver-alice", current_session="session-s2")
    ]
    central_poll_once()
    session.refresh_from_db()
    assert session.status == SessionStatus.CHARGING
    assert SessionTransition.objects.get(session=session, to_status="CHARGING").source == "POLL"


def test_a_session_central_never_speaks_of_again_fails_even_while_central_is_unreachable(alice, bob, cp, settings):
    from sessions_app.services.timeouts import sessions_fail_long_silent

    settings.SESSION_MAX_SILENCE_SECONDS = 3600
    now = timezone.now()
    hours_ago = now - timedelta(hours=2)
    lost = ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        status=SessionStatus.CHARGING,
        requested_at=hours_ago,
        started_at=hours_ago,
        last_seen_at_point=now - timedelta(minutes=61),
    )
    still_seen = ChargingSessionFactory(
        driver=bob,
        charging_point=cp,
        status=SessionStatus.CHARGING,
        requested_at=hours_ago,
        started_at=hours_ago,
        last_seen_at_point=now - timedelta(minutes=5),
    )

    assert sessions_fail_long_silent(now=now) == 1
    assert sessions_fail_long_silent(now=now) == 0

    lost.refresh_from_db()
    still_seen.refresh_from_db()
    assert (lost.status, lost.reason) == (
        SessionStatus.FAILED,
        "No word from central about this session for 60 minutes",
    )
    assert still_seen.status == SessionStatus.CHARGING
    assert Notification.objects.filter(session=lost, type="SESSION").count() == 1
