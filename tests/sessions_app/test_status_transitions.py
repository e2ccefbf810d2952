"""The one writer of the session status, walked over every (from, to) pair."""

import itertools

import pytest

from common.errors import IllegalTransition
from notifications.models import Notification
from sessions_app.models import SessionTransition
from sessions_app.services.transitions import session_transition
from sessions_app.status import ALLOWED_TRANSITIONS, FINISHED_STATUSES, OPEN_STATUSES, SessionStatus
from tests.factories import ChargingSessionFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(SessionStatus.values, SessionStatus.values))


@pytest.mark.parametrize("from_status,to_status", ALL_PAIRS)
def test_every_status_pair(from_status, to_status):
    session = ChargingSessionFactory(status=from_status)
    source = SessionTransition.Source.CENTRAL
    if from_status == to_status:
        stored, changed = session_transition(session=session, to_status=to_status, source=source)
        assert (stored.status, changed) == (from_status, False)
        assert not SessionTransition.objects.filter(session=session).exists()
    elif to_status in ALLOWED_TRANSITIONS[from_status]:
        stored, changed = session_transition(session=session, to_status=to_status, source=source, reason="why")
        assert (stored.status, changed) == (to_status, True)
        history = SessionTransition.objects.get(session=session)
        assert (history.from_status, history.to_status, history.reason) == (from_status, to_status, "why")
        assert Notification.objects.filter(driver=session.driver, session=session, type="SESSION").count() == 1
    else:
        with pytest.raises(IllegalTransition):
            session_transition(session=session, to_status=to_status, source=source)
        stored, changed = session_transition(session=session, to_status=to_status, source=source, strict=False)
        assert (stored.status, changed) == (from_status, False)
        session.refresh_from_db()
        assert session.status == from_status
        assert not SessionTransition.objects.filter(session=session).exists()


def test_finished_sessions_never_move():
    for status in FINISHED_STATUSES:
        assert ALLOWED_TRANSITIONS[status] == frozenset()
    assert set(SessionStatus.values) == OPEN_STATUSES | FINISHED_STATUSES


def test_timestamps_are_stamped_once_and_queue_position_cleared():
    session = ChargingSessionFactory(status=SessionStatus.PENDING, queue_position=2)
    approved, _ = session_transition(session=session, to_status="APPROVED", source="CENTRAL")
    assert approved.approved_at is not None and approved.queue_position is None
    charging, _ = session_transition(session=session, to_status="CHARGING", source="CENTRAL")
    started = charging.started_at
    assert started is not None and charging.completed_at is None
    done, _ = session_transition(session=session, to_status="COMPLETED", source="CENTRAL")
    assert done.started_at == started and done.completed_at is not None


def test_the_same_transition_twice_notifies_once():
    session = ChargingSessionFactory(status=SessionStatus.PENDING)
    session_transition(session=session, to_status="DENIED", source="CENTRAL", reason="Charging point not available")
    session_transition(session=session, to_status="DENIED", source="CENTRAL", reason="Charging point not available")
    notes = Notification.objects.filter(driver=session.driver)
    assert [n.message for n in notes] == [
        f"Request for {session.charging_point.cp_id} denied: This point is not available right now"
    ]


def test_only_known_fields_can_change_with_a_transition():
    session = ChargingSessionFactory(status=SessionStatus.PENDING)
    with pytest.raises(ValueError, match="driver"):
        session_transition(session=session, to_status="APPROVED", source="CENTRAL", changes={"driver": None})
    session.refresh_from_db()
    assert session.status == SessionStatus.PENDING
