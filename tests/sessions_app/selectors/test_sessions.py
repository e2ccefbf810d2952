"""sessions_app.selectors: the open session and the history, scoped to one driver."""

from datetime import UTC, datetime, timedelta

from sessions_app.selectors import session_current, session_history
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory

NOON = datetime(2025, 10, 25, 12, tzinfo=UTC)


def test_current_is_the_open_session_of_that_driver_only(alice, bob, cp):
    ChargingSessionFactory(driver=bob, charging_point=cp, status=SessionStatus.CHARGING)
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.FAILED)

    assert session_current(driver=alice) is None

    mine = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.APPROVED)
    assert session_current(driver=alice) == mine


def test_history_is_newest_completion_first_and_unfinished_ones_last(alice, cp):
    early = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.COMPLETED, completed_at=NOON)
    late = ChargingSessionFactory(
        driver=alice, charging_point=cp, status=SessionStatus.STOPPED, completed_at=NOON + timedelta(hours=1)
    )
    # A finished row without a completion time (legacy/imported) still shows, after the dated ones.
    undated = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.CANCELLED, completed_at=None)
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)

    assert list(session_history(driver=alice)) == [late, early, undated]
    assert list(session_history(driver=alice, limit=1, offset=1)) == [early]
