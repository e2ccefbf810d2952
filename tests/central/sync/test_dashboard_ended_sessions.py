"""Sessions the dashboard ends on its own: the poll is asked before a time-out, the silence rule waits for the
consumer, an inferred FAILED is provisional, and what central may still run is stopped there."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from central.gateway.messages import DriverUpdate, SessionTicket
from central.sync.silence import sessions_check_silence
from central.sync.stops import session_stop_abandoned_at_central
from central.sync.updates import session_apply_ticket, session_apply_update
from notifications.models import Notification
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.timeouts import sessions_expire_unanswered, sessions_fail_long_silent
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory

pytestmark = pytest.mark.django_db


def point_shows(cp, **fields):
    defaults = {"last_updated": timezone.now(), "status": "OCCUPIED"}
    for name, value in {**defaults, **fields}.items():
        setattr(cp, name, value)
    cp.save()


def update(status: str, **fields) -> DriverUpdate:
    values = {"request_id": None, "driver_id": "driver-alice", "cp_id": "CP-001", "reason": "", "session_id": None}
    return DriverUpdate(status=status, ts=None, **{**values, **fields})


def ticket(session_id: str, kwh: str, eur: str) -> SessionTicket:
    return SessionTicket(
        cp_id="CP-001",
        session_id=session_id,
        driver_id="driver-alice",
        start_time=None,
        end_time=None,
        energy_kwh=Decimal(kwh),
        total_cost_eur=Decimal(eur),
        ts=None,
    )


def notes(session) -> list[str]:
    return list(Notification.objects.filter(session=session).order_by("id").values_list("message", flat=True))


# --- Time-outs ask the poll first -------------------------------------------------------------------------


def test_an_overdue_request_the_poll_shows_charging_is_followed_not_failed(alice, cp, settings):
    settings.REQUEST_TIMEOUT_SECONDS = 30
    now = timezone.now()
    pending = ChargingSessionFactory(driver=alice, charging_point=cp, requested_at=now - timedelta(seconds=40))
    point_shows(
        cp,
        central_engine_state="SUPPLYING",
        central_driver_id="driver-alice",
        central_session_id="session-c1",
        telemetry_session_id="session-c1",
        telemetry_kwh=0.25,
        telemetry_eur=0.08,
    )
    assert sessions_expire_unanswered(now=now) == 0
    pending.refresh_from_db()
    assert (pending.status, pending.session_id, pending.energy_kwh) == ("CHARGING", "session-c1", Decimal("0.25"))
    assert SessionTransition.objects.get(session=pending, to_status="CHARGING").source == "POLL"


@pytest.mark.parametrize(
    "shown",
    [
        {"central_engine_state": "ACTIVATED", "central_driver_id": "driver-alice", "central_session_id": "s-1"},
        {"central_engine_state": "SUPPLYING", "central_driver_id": "driver-bob", "central_session_id": "s-1"},
        {"central_engine_state": "SUPPLYING", "central_driver_id": "driver-alice", "central_session_id": "s-old"},
        {
            "central_engine_state": "SUPPLYING",
            "central_driver_id": "driver-alice",
            "central_session_id": "s-1",
            "last_updated": timezone.now() - timedelta(minutes=5),
        },
    ],
    ids=["not-supplying", "another-driver", "previous-session", "stale-poll"],
)
def test_an_overdue_request_fails_when_the_poll_does_not_show_it_charging(alice, cp, settings, shown):
    settings.REQUEST_TIMEOUT_SECONDS = 30
    now = timezone.now()
    ChargingSessionFactory(driver=alice, charging_point=cp, status="COMPLETED", session_id="s-old")
    pending = ChargingSessionFactory(driver=alice, charging_point=cp, requested_at=now - timedelta(seconds=40))
    point_shows(cp, **shown)
    assert sessions_expire_unanswered(now=now) == 1
    pending.refresh_from_db()
    assert (pending.status, pending.reason, pending.ended_by_dashboard) == ("FAILED", "Central did not answer", True)


# --- The silence rule: life on either channel, and our own consumer's lag ----------------------------------


def lost_session(alice, cp, seen):
    point_shows(cp, status="FREE", central_engine_state="ACTIVATED")
    return ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        status=SessionStatus.CHARGING,
        session_id="session-s1",
        started_at=seen,
        last_seen_at_point=seen,
    )


def test_silence_waits_while_no_consumer_runs(alice, cp, settings):
    settings.SESSION_LOST_GRACE_SECONDS = 10
    session = lost_session(alice, cp, seen=timezone.now() - timedelta(seconds=60))
    assert sessions_check_silence() == 0
    assert ChargingSession.objects.get(pk=session.pk).status == "CHARGING"


def test_silence_waits_until_the_consumer_caught_up_past_the_grace_period(alice, cp, settings, consumer_caught_up):
    settings.SESSION_LOST_GRACE_SECONDS = 10
    now = timezone.now()
    seen = now - timedelta(seconds=60)
    session = lost_session(alice, cp, seen=seen)
    consumer_caught_up(at=seen + timedelta(seconds=9))  # central's `completed` may still be waiting
    assert sessions_check_silence(now=now) == 0
    consumer_caught_up(at=seen + timedelta(seconds=11))
    assert sessions_check_silence(now=now) == 1
    session.refresh_from_db()
    assert (session.status, session.ended_by_dashboard, session.central_stop_pending) == ("FAILED", True, False)


def test_a_consumer_that_stopped_reporting_is_not_waited_for(alice, cp, settings, consumer_caught_up):
    from central.models import ConsumerProgress

    settings.SESSION_LOST_GRACE_SECONDS = 10
    settings.KAFKA_CONSUMER_LIVE_SECONDS = 60
    now = timezone.now()
    lost_session(alice, cp, seen=now - timedelta(seconds=60))
    consumer_caught_up(at=now)
    ConsumerProgress.objects.create(name="dead", caught_up_at=None, heartbeat_at=now - timedelta(minutes=5))
    assert sessions_check_silence(now=now) == 1


def test_in_progress_is_a_sign_of_life_whatever_the_poll_shows(alice, cp, settings, consumer_caught_up):
    settings.SESSION_LOST_GRACE_SECONDS = 3
    now = timezone.now()
    session = lost_session(alice, cp, seen=now - timedelta(seconds=60))
    session_apply_update(update("in_progress", request_id=session.request_id))
    consumer_caught_up()
    assert sessions_check_silence() == 0
    assert ChargingSession.objects.get(pk=session.pk).status == "CHARGING"


# --- A FAILED the dashboard inferred is provisional --------------------------------------------------------


def inferred_failure(alice, cp, **fields):
    return ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        status=SessionStatus.FAILED,
        session_id="session-s1",
        reason="Central no longer runs this session at CP-001",
        ended_by_dashboard=True,
        started_at=timezone.now() - timedelta(minutes=5),
        completed_at=timezone.now(),
        energy_kwh=Decimal("0.11"),
        **fields,
    )


def test_centrals_late_completed_corrects_an_inferred_failure_once(alice, cp):
    session = inferred_failure(alice, cp)
    late = update("completed", session_id="session-s1", reason="Session completed: 0.40 kWh, €0.12")
    assert session_apply_update(late) == "applied"
    assert session_apply_update(late) == "noop"
    session.refresh_from_db()
    assert session.status == "COMPLETED"
    assert notes(session) == ["Charging completed at CP-001: 0.11 kWh, €0.00"]


def test_centrals_late_ticket_corrects_an_inferred_failure_with_its_figures(alice, cp):
    session = inferred_failure(alice, cp)
    assert session_apply_ticket(ticket("session-s1", "0.40", "0.12")) == "applied"
    assert session_apply_ticket(ticket("session-s1", "0.40", "0.12")) == "noop"
    session.refresh_from_db()
    assert (session.status, session.energy_kwh, session.cost_eur) == ("COMPLETED", Decimal("0.4"), Decimal("0.12"))
    assert notes(session) == ["Charging completed at CP-001: 0.40 kWh, €0.12"]


def test_a_failure_central_reported_is_final(alice, cp):
    session = inferred_failure(alice, cp)
    ChargingSession.objects.filter(pk=session.pk).update(ended_by_dashboard=False)
    assert session_apply_update(update("completed", session_id="session-s1")) == "noop"
    assert ChargingSession.objects.get(pk=session.pk).status == "FAILED"


def test_a_failure_the_dashboard_stopped_at_central_keeps_its_status_and_explains_the_figures(alice, cp):
    session = inferred_failure(alice, cp, central_stopped_at=timezone.now())
    assert session_apply_update(update("completed", session_id="session-s1")) == "noop"
    assert session_apply_ticket(ticket("session-s1", "0.40", "0.12")) == "applied"
    session.refresh_from_db()
    assert (session.status, session.energy_kwh) == ("FAILED", Decimal("0.4"))
    assert notes(session) == [
        "Your session at CP-001 ended (Central no longer runs this session at CP-001); "
        "it was stopped at central: 0.40 kWh, €0.12"
    ]


def test_in_progress_for_a_session_the_dashboard_ended_stops_it_at_central_once(alice, cp, fake_central):
    session = inferred_failure(alice, cp)
    assert session_apply_update(update("in_progress", request_id=session.request_id)) == "applied"
    assert session_apply_update(update("in_progress", request_id=session.request_id)) == "noop"
    session.refresh_from_db()
    assert session.central_stop_pending is True  # queued on commit; the test's transaction never commits
    assert session_stop_abandoned_at_central(session.pk) is True
    assert fake_central.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": "session-s1"}]


# --- Stopping at central what the dashboard ended ------------------------------------------------------------


def test_a_long_silent_session_with_centrals_id_is_stopped_at_central(alice, cp, settings):
    settings.SESSION_MAX_SILENCE_SECONDS = 3600
    hours_ago = timezone.now() - timedelta(hours=2)
    session = ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        status=SessionStatus.CHARGING,
        session_id="session-s1",
        requested_at=hours_ago,
        started_at=hours_ago,
    )
    assert sessions_fail_long_silent() == 1
    session.refresh_from_db()
    assert (session.status, session.central_stop_pending, session.ended_by_dashboard) == ("FAILED", True, True)


def test_an_unnamed_session_is_retried_until_the_poll_names_it_then_given_up(alice, cp, fake_central, settings):
    settings.CENTRAL_STOP_UNNAMED_GIVE_UP_SECONDS = 600
    now = timezone.now()
    session = ChargingSessionFactory(
        driver=alice, charging_point=cp, status="CANCELLED", completed_at=now, central_stop_pending=True
    )
    assert session_stop_abandoned_at_central(session.pk, now=now) is False  # central's id unknown yet
    assert fake_central.stop_calls == []
    assert session_stop_abandoned_at_central(session.pk, now=now + timedelta(seconds=601)) is True
    session.refresh_from_db()
    assert (session.central_stop_pending, session.central_stopped_at is not None) == (False, True)


def test_an_unnamed_session_is_stopped_under_the_id_the_poll_shows(alice, cp, fake_central):
    session = ChargingSessionFactory(
        driver=alice, charging_point=cp, status="CANCELLED", completed_at=timezone.now(), central_stop_pending=True
    )
    point_shows(cp, central_driver_id="driver-alice", central_session_id="session-c9")
    assert session_stop_abandoned_at_central(session.pk) is True
    assert fake_central.stop_calls == [{"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": "session-c9"}]
    assert ChargingSession.objects.get(pk=session.pk).session_id == "session-c9"
