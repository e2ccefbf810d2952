"""Central's `in_progress` ticks for sessions the consumer knows CHARGING: no session query, signs of life in one
UPDATE per batch, and what it knows dropped as soon as a session ends or another process changes it."""

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from central.gateway.messages import DriverUpdate, SessionTicket
from central.sync.updates import APPLIED, NOOP, KnownCharging, central_events_apply
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.lifecycle import session_request
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory

pytestmark = pytest.mark.django_db

SESSIONS_TABLE = ChargingSession._meta.db_table


def update(session, status, *, session_id=None, request_id="same") -> DriverUpdate:
    return DriverUpdate(
        request_id=session.request_id if request_id == "same" else request_id,
        driver_id=session.driver.driver_id,
        cp_id=session.charging_point.cp_id,
        status=status,
        reason="Charging: 11.0 kW, €0.42" if status == "in_progress" else "",
        session_id=session_id,
    )


def ticket(session, session_id) -> SessionTicket:
    return SessionTicket(
        cp_id=session.charging_point.cp_id,
        session_id=session_id,
        driver_id=session.driver.driver_id,
        energy_kwh="1.5",
        total_cost_eur="0.63",
    )


def apply(events, known) -> list[str]:
    with transaction.atomic():
        return central_events_apply(events, known)


def session_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if SESSIONS_TABLE in q["sql"]]


def reload(session) -> ChargingSession:
    return ChargingSession.objects.get(pk=session.pk)


@pytest.fixture(autouse=True)
def slow_clock(settings):
    # Signs of life every 60 s and a long trust: within a test only what the test makes due is written.
    settings.SESSION_LOST_GRACE_SECONDS = 180.0
    settings.KAFKA_CONSUMER_TRUST_CHARGING_SECONDS = 60.0


@pytest.fixture
def known():
    return KnownCharging()


def charging(driver, cp, known, session_id) -> ChargingSession:
    session = session_request(driver=driver, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    assert apply([update(session, "accepted", session_id=session_id), update(session, "in_progress")], known) == [
        APPLIED,
        APPLIED,
    ]
    return reload(session)


def test_a_batch_of_ticks_for_sessions_known_charging_runs_no_session_query(alice, bob, cp, known):
    first = charging(alice, cp, known, "session-a1")
    second = charging(bob, ChargingPointFactory(cp_id="CP-002"), known, "session-b1")
    ticks = [update(first, "in_progress"), update(second, "in_progress"), update(first, "in_progress", request_id=None)]
    ticks += [update(second, "in_progress", session_id="session-b1")] * 3
    with CaptureQueriesContext(connection) as captured:
        assert apply(ticks, known) == [NOOP] * 6
    assert session_queries(captured) == []
    assert [reload(first).status, reload(second).status] == [SessionStatus.CHARGING, SessionStatus.CHARGING]


def test_due_signs_of_life_of_a_batch_are_one_update(alice, bob, cp, known, settings):
    first = charging(alice, cp, known, "session-a1")
    second = charging(bob, ChargingPointFactory(cp_id="CP-002"), known, "session-b1")
    settings.SESSION_LOST_GRACE_SECONDS = 1.5  # a sign of life every 0.5 s
    time.sleep(0.6)
    before = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        assert apply([update(first, "in_progress"), update(second, "in_progress")] * 5, known) == [NOOP] * 10
    (write,) = session_queries(captured)
    assert write.startswith("UPDATE") and "last_seen_at_point" in write
    assert reload(first).last_seen_at_point >= before
    assert reload(second).last_seen_at_point >= before
    with CaptureQueriesContext(connection) as captured:
        apply([update(first, "in_progress")], known)
    assert session_queries(captured) == []  # written less than 0.5 s ago


def test_a_tick_after_completed_changes_nothing(alice, cp, known):
    session = charging(alice, cp, known, "session-a1")
    events = [ticket(session, "session-a1"), update(session, "completed", session_id="session-a1")]
    assert apply([*events, update(session, "in_progress")], known) == [APPLIED, NOOP, NOOP]
    assert apply([update(session, "in_progress")], known) == [NOOP]
    stored = reload(session)
    assert (stored.status, str(stored.energy_kwh)) == (SessionStatus.COMPLETED, "1.5000")
    assert SessionTransition.objects.filter(session=session).last().to_status == SessionStatus.COMPLETED


def test_a_new_request_by_the_same_driver_at_the_same_point_is_matched(alice, cp, known):
    first = charging(alice, cp, known, "session-a1")
    apply([update(first, "completed", session_id="session-a1")], known)
    second = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    # A late tick of the first session, then the second one's own messages, some without any id.
    assert apply([update(first, "in_progress")], known) == [NOOP]
    assert reload(second).status == SessionStatus.PENDING
    events = [update(second, "accepted", session_id="session-a2"), update(second, "in_progress", request_id=None)]
    assert apply(events, known) == [APPLIED, APPLIED]
    assert apply([update(second, "in_progress", request_id=None), update(first, "in_progress")], known) == [NOOP] * 2
    assert (reload(first).status, reload(second).status) == (SessionStatus.COMPLETED, SessionStatus.CHARGING)


def test_a_session_another_process_ended_is_seen_within_the_trust_time(alice, cp, known, settings, fake_central):
    session = charging(alice, cp, known, "session-a1")
    # The dashboard's poll infers the session lost (another process: the consumer is not told).
    session_transition(
        session=session.pk,
        to_status=SessionStatus.FAILED,
        source=SessionTransition.Source.POLL,
        reason="Central no longer runs this session at CP-001",
        changes={"ended_by_dashboard": True},
    )
    settings.KAFKA_CONSUMER_TRUST_CHARGING_SECONDS = 0.2
    time.sleep(0.25)
    # Central still supplies it: the tick goes the long way and the dashboard owes central a stop.
    assert apply([update(session, "in_progress"), update(session, "in_progress")], known) == [APPLIED, NOOP]
    assert reload(session).central_stop_pending is True


def test_a_tick_for_a_session_the_batch_itself_changes_goes_the_long_way(alice, cp, known):
    session = charging(alice, cp, known, "session-a1")
    stopped_at = timezone.now() - timedelta(seconds=1)
    ChargingSession.objects.filter(pk=session.pk).update(stop_requested_at=stopped_at)
    events = [update(session, "in_progress"), update(session, "completed", session_id="session-a1")]
    events.append(update(session, "in_progress"))
    assert apply(events, known) == [NOOP, APPLIED, NOOP]
    assert reload(session).status == SessionStatus.STOPPED
    assert len(known) == 0
