"""Requests central never answered, and sessions central abandoned at the point (silence).

Whatever the dashboard ends on its own here is marked `ended_by_dashboard`: such a FAILED is provisional
(central's own end, arriving later, corrects it), and when central may still run the session the dashboard
stops it there (`central_stop_pending`, retried until central confirms).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.ports import central_port
from sessions_app.services.telemetry import session_apply_telemetry
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus

logger = logging.getLogger(__name__)

NO_ANSWER_REASON = "Central did not answer"
SUPPLYING = "SUPPLYING"


def _poll_is_fresh(point, now) -> bool:
    return point.last_updated is not None and now - point.last_updated <= timedelta(seconds=settings.CP_STALE_AFTER)


def central_runs_pending(session: ChargingSession, now) -> str | None:
    """Central's session id when the last (fresh) poll shows central supplying this driver at the request's
    point under an id no other session of ours owns: central accepted, and its `accepted` is late or lost."""
    point = session.charging_point
    if not _poll_is_fresh(point, now) or point.central_engine_state != SUPPLYING:
        return None
    if point.central_driver_id != session.driver.driver_id or not point.central_session_id:
        return None
    if ChargingSession.objects.filter(session_id=point.central_session_id).exclude(pk=session.pk).exists():
        return None  # the driver's previous session, still shown at the point
    return point.central_session_id


def session_follow_poll(session: ChargingSession, central_session_id: str, *, now) -> bool:
    """A PENDING request the poll shows central charging: CHARGING under central's id, with the poll's figures.
    The consumer's late `accepted` / `in_progress` then change nothing."""
    point = session.charging_point
    stored, changed = session_transition(
        session=session.pk,
        to_status=SessionStatus.CHARGING,
        source=SessionTransition.Source.POLL,
        reason=f"Charging at {point.cp_id} (seen in central's status)",
        at=now,
        changes={"last_seen_at_point": now},
        central_session_id=central_session_id,
        strict=False,
        from_statuses=(SessionStatus.PENDING,),
    )
    if changed and point.telemetry_session_id == central_session_id:
        session_apply_telemetry(
            cp_pk=point.pk, telemetry_session_id=central_session_id, kwh=point.telemetry_kwh, euros=point.telemetry_eur
        )
    return changed


def sessions_expire_unanswered(*, now=None) -> int:
    """PENDING requests older than REQUEST_TIMEOUT_SECONDS -> FAILED "Central did not answer".

    The time counts from when the request was handed to central (not the time it waited in a queue). Asks
    the poll first: a request central is visibly charging is followed (CHARGING), not failed. Each
    session is claimed under its row lock (only a still-PENDING row moves), so overlapping runs and a
    concurrent `accepted` are safe. A late acceptance is then stopped at central.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.REQUEST_TIMEOUT_SECONDS)
    expired = 0
    # A request on a point's waiting list is not with central yet: it does not time out (the queue drops it).
    overdue = (
        ChargingSession.objects.select_related("charging_point", "driver")
        .filter(status=SessionStatus.PENDING, queue_position__isnull=True)
        .annotate(asked_at=Coalesce("sent_to_central_at", "requested_at"))
        .filter(asked_at__lt=cutoff)
    )
    for session in overdue:
        central_id = central_runs_pending(session, now)
        if central_id:
            session_follow_poll(session, central_id, now=now)
            continue
        _, changed = session_transition(
            session=session.pk,
            to_status=SessionStatus.FAILED,
            source=SessionTransition.Source.TIMEOUT,
            reason=NO_ANSWER_REASON,
            at=now,
            changes={"ended_by_dashboard": True},
            strict=False,
            from_statuses=(SessionStatus.PENDING,),
        )
        expired += changed
    return expired


def central_may_hold(session: ChargingSession) -> bool:
    """Does the last poll still name this session (or, without central's id, its driver) at the point?"""
    point = session.charging_point
    if session.has_central_session_id:
        return point.central_session_id == session.session_id
    return bool(point.central_driver_id) and point.central_driver_id == session.driver.driver_id


def session_fail_by_dashboard(
    session: ChargingSession, *, reason: str, source: str, now, stop_owed: bool | None = None
) -> bool:
    """APPROVED/CHARGING -> FAILED on the dashboard's own judgement; stopped at central when it may still run
    it there (by default: the last poll still names it). Returns whether the session failed."""
    if stop_owed is None:
        stop_owed = central_may_hold(session)
    with transaction.atomic():
        stored, changed = session_transition(
            session=session.pk,
            to_status=SessionStatus.FAILED,
            source=source,
            reason=reason,
            at=now,
            changes={"ended_by_dashboard": True, "central_stop_pending": stop_owed},
            strict=False,
            from_statuses=(SessionStatus.APPROVED, SessionStatus.CHARGING),
        )
        if changed and stop_owed:
            transaction.on_commit(lambda: central_port().stop_owed(stored.pk))
    return changed


def sessions_fail_long_silent(*, now=None) -> int:
    """APPROVED/CHARGING sessions with no sign of life for SESSION_MAX_SILENCE_SECONDS -> FAILED.

    The silence check above only runs after a successful poll, with a consumer running; while central is
    unreachable it cannot tell a running session from a lost one. This bound makes sure that, even if central
    never comes back, no session stays open forever. Runs whatever the state of the poll; the failed session
    is stopped at central (retried until central answers).
    """
    now = now or timezone.now()
    limit = timedelta(seconds=settings.SESSION_MAX_SILENCE_SECONDS)
    failed = 0
    candidates = ChargingSession.objects.select_related("charging_point", "driver").filter(
        status__in=(SessionStatus.APPROVED, SessionStatus.CHARGING),
        requested_at__lt=now - limit,
    )
    minutes = round(settings.SESSION_MAX_SILENCE_SECONDS / 60)
    for session in candidates:
        times = (session.last_seen_at_point, session.started_at, session.approved_at, session.requested_at)
        last_sign = next(t for t in times if t is not None)
        if now - last_sign <= limit:
            continue
        failed += session_fail_by_dashboard(
            session,
            reason=f"No word from central about this session for {minutes} minutes",
            source=SessionTransition.Source.TIMEOUT,
            now=now,
            # The last picture is an hour old: whatever central may hold under this id is stopped.
            stop_owed=session.has_central_session_id or central_may_hold(session),
        )
    return failed
