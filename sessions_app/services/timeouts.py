"""Requests central never answered, and sessions central abandoned at the point (silence)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from chargingpoints.models import PointStatus
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus

logger = logging.getLogger(__name__)

NO_ANSWER_REASON = "Central did not answer"


def sessions_expire_unanswered(*, now=None) -> int:
    """PENDING requests older than REQUEST_TIMEOUT_SECONDS -> FAILED "Central did not answer".

    Each session is claimed under its row lock (only a still-PENDING row moves), so overlapping runs
    and a concurrent `accepted` are safe. A late acceptance is then stopped at central.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.REQUEST_TIMEOUT_SECONDS)
    expired = 0
    for pk in ChargingSession.objects.filter(status=SessionStatus.PENDING, requested_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        _, changed = session_transition(
            session=pk,
            to_status=SessionStatus.FAILED,
            source=SessionTransition.Source.TIMEOUT,
            reason=NO_ANSWER_REASON,
            at=now,
            strict=False,
            from_statuses=(SessionStatus.PENDING,),
        )
        expired += changed
    return expired


def session_is_held_at_point(session: ChargingSession) -> bool:
    """Does the last poll show central running this session on its point?"""
    point = session.charging_point
    if point.status == PointStatus.OFFLINE:
        return False
    if session.has_central_session_id:
        return point.central_session_id == session.session_id
    # Central's id not known yet (its `accepted` was lost): the driver at the point is enough.
    return bool(point.central_driver_id) and point.central_driver_id == session.driver.driver_id


def sessions_check_silence(*, now=None) -> int:
    """End APPROVED/CHARGING sessions their point has not held for SESSION_LOST_GRACE_SECONDS.

    Central may send no terminal update when a point is switched off or faults mid-session: the
    poll is the only witness. Sessions still held get `last_seen_at_point` refreshed; an APPROVED
    session whose point is supplying it becomes CHARGING (its `in_progress` may have been lost).
    Returns how many sessions failed. Call after a successful poll only.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SESSION_LOST_GRACE_SECONDS)
    failed = 0
    open_sessions = ChargingSession.objects.select_related("charging_point", "driver").filter(
        status__in=(SessionStatus.APPROVED, SessionStatus.CHARGING)
    )
    for session in open_sessions:
        point = session.charging_point
        if session_is_held_at_point(session):
            ChargingSession.objects.filter(pk=session.pk).update(last_seen_at_point=now)
            if session.status == SessionStatus.APPROVED and point.central_engine_state == "SUPPLYING":
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
        if point.status == PointStatus.OFFLINE:
            reason = f"Charging point {point.cp_id} went offline ({point.central_state or 'not reported'})"
        else:
            reason = f"Central no longer runs this session at {point.cp_id}"
        _, changed = session_transition(
            session=session.pk,
            to_status=SessionStatus.FAILED,
            source=SessionTransition.Source.POLL,
            reason=reason,
            at=now,
            strict=False,
            from_statuses=(SessionStatus.APPROVED, SessionStatus.CHARGING),
        )
        failed += changed
    return failed


def sessions_fail_long_silent(*, now=None) -> int:
    """APPROVED/CHARGING sessions with no sign of life for SESSION_MAX_SILENCE_SECONDS -> FAILED.

    The silence check above only runs after a successful poll; while central is unreachable it cannot
    tell a running session from a lost one. This bound makes sure that, even if central never comes
    back, no session stays open forever. Runs whatever the state of the poll.
    """
    now = now or timezone.now()
    limit = timedelta(seconds=settings.SESSION_MAX_SILENCE_SECONDS)
    failed = 0
    candidates = ChargingSession.objects.filter(
        status__in=(SessionStatus.APPROVED, SessionStatus.CHARGING),
        requested_at__lt=now - limit,
    ).values_list("pk", "last_seen_at_point", "started_at", "approved_at", "requested_at")
    for pk, *times in candidates:
        last_sign = next(t for t in times if t is not None)
        if now - last_sign <= limit:
            continue
        minutes = round(settings.SESSION_MAX_SILENCE_SECONDS / 60)
        _, changed = session_transition(
            session=pk,
            to_status=SessionStatus.FAILED,
            source=SessionTransition.Source.TIMEOUT,
            reason=f"No word from central about this session for {minutes} minutes",
            at=now,
            strict=False,
            from_statuses=(SessionStatus.APPROVED, SessionStatus.CHARGING),
        )
        failed += changed
    return failed
