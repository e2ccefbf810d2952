"""The poll's silence rule: open sessions central has stopped running without a word.

Central may send no terminal update when a point is switched off or faults mid-session: the poll is the only
witness. Life on either channel counts (the poll showing the session held, or central's `in_progress`), and
the rule waits for the dashboard's own consumer, whose `completed` for the session may still be in Kafka.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from central.sync.progress import consumers_caught_up_at
from chargingpoints.models import PointStatus
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.timeouts import (
    SUPPLYING,
    central_runs_pending,
    session_fail_by_dashboard,
    session_follow_poll,
)
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus

logger = logging.getLogger(__name__)


def session_is_held_at_point(session: ChargingSession) -> bool:
    """Does the last poll show central running this session on its point?

    An OFFLINE point (its monitor dropped, say) still holds the session while its engine reports supplying it.
    """
    point = session.charging_point
    if point.status == PointStatus.OFFLINE and point.central_engine_state != SUPPLYING:
        return False
    if session.has_central_session_id:
        return point.central_session_id == session.session_id
    # Central's id not known yet (its `accepted` was lost): the driver at the point is enough.
    return bool(point.central_driver_id) and point.central_driver_id == session.driver.driver_id


def sessions_check_silence(*, now=None) -> int:
    """Follow the poll for open sessions: PENDING requests central visibly charges become CHARGING; APPROVED /
    CHARGING sessions with no sign of life on either channel for SESSION_LOST_GRACE_SECONDS fail.

    Central may send no terminal update when a point is switched off or faults mid-session: the poll is
    the only witness. A sign of life is the poll showing the session held at its point or central's Kafka
    `in_progress` for it (`last_seen_at_point`). A session is failed for silence only once every running
    consumer has caught up past the grace period: central's `completed` may still be waiting in Kafka.
    Returns how many sessions failed. Call after a successful poll only.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SESSION_LOST_GRACE_SECONDS)
    follow_after = timedelta(seconds=2 * settings.CENTRAL_POLL_INTERVAL)
    caught_up = None
    failed = 0
    open_sessions = ChargingSession.objects.select_related("charging_point", "driver").filter(
        status__in=(SessionStatus.PENDING, SessionStatus.APPROVED, SessionStatus.CHARGING)
    )
    for session in open_sessions:
        point = session.charging_point
        if session.status == SessionStatus.PENDING:
            if session.queue_position is not None:
                continue  # on the waiting list: not with central yet
            # Give the consumer's `accepted` a moment first; after that, the poll's word is enough.
            asked_at = session.sent_to_central_at or session.requested_at
            central_id = central_runs_pending(session, now) if now - asked_at > follow_after else None
            if central_id:
                session_follow_poll(session, central_id, now=now)
            continue
        if session_is_held_at_point(session):
            ChargingSession.objects.filter(pk=session.pk).update(last_seen_at_point=now)
            if session.status == SessionStatus.APPROVED and point.central_engine_state == SUPPLYING:
                session_transition(
                    session=session.pk,
                    to_status=SessionStatus.CHARGING,
                    source=SessionTransition.Source.POLL,
                    reason=f"Charging at {point.cp_id}",
                    at=now,
                    strict=False,
                    from_statuses=(SessionStatus.APPROVED,),
                )
            continue
        seen = session.last_seen_at_point or session.started_at or session.approved_at or session.requested_at
        if now - seen <= grace:
            continue
        if caught_up is None:
            caught_up = consumers_caught_up_at(now=now) or seen
        if caught_up < seen + grace:
            logger.debug("session %s not seen since %s: waiting for the consumer to catch up", session.request_id, seen)
            continue
        if point.status == PointStatus.OFFLINE:
            reason = f"Charging point {point.cp_id} went offline ({point.central_state or 'not reported'})"
        else:
            reason = f"Central no longer runs this session at {point.cp_id}"
        failed += session_fail_by_dashboard(session, reason=reason, source=SessionTransition.Source.POLL, now=now)
    return failed
