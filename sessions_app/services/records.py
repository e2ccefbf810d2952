"""What central tells the dashboard about a session besides its status: its id, signs of life, the final
figures of its ticket, and that central still runs a session the dashboard ended (a stop central owes).

Each write is one conditional UPDATE, safe to repeat: replayed messages change nothing twice.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications.services import notification_for_session
from sessions_app.models import ChargingSession
from sessions_app.selectors import session_central_id_change
from sessions_app.services.timeouts import NO_ANSWER_REASON
from sessions_app.services.transitions import format_figures
from sessions_app.signals import finished_session_corrected
from sessions_app.status import OPEN_STATUSES, SessionStatus
from sessions_app.wording import plain_reason

logger = logging.getLogger(__name__)


def session_adopt_central_id(session: ChargingSession, central_session_id: str | None) -> bool:
    """Store central's id on a session that still has its pending id (never another session's id)."""
    change = session_central_id_change(session, central_session_id)
    if not change:
        return False
    return bool(ChargingSession.objects.filter(pk=session.pk, session_id=session.session_id).update(**change))


def sign_of_life_every() -> timedelta:
    """How often a stream of `in_progress` updates refreshes `last_seen_at_point`: rarely enough that most
    telemetry ticks cost no write, often enough that the poll's grace period never runs out while central
    still reports the session (life on either channel counts)."""
    return timedelta(seconds=max(0.5, min(60.0, settings.SESSION_LOST_GRACE_SECONDS / 3)))


def session_note_alive(session: ChargingSession) -> None:
    """Central still reports this session charging: it is alive, whatever the poll shows of its point."""
    now = timezone.now()
    if session.last_seen_at_point and now - session.last_seen_at_point < sign_of_life_every():
        return
    ChargingSession.objects.filter(pk=session.pk, status=SessionStatus.CHARGING).update(last_seen_at_point=now)
    session.last_seen_at_point = now  # the index holds this very object: no re-read needed


def sessions_note_alive(pks, *, now) -> int:
    """`session_note_alive` for a whole batch of sessions, in one UPDATE (only those still CHARGING).
    The caller decides which are due (`sign_of_life_every`). Returns how many rows it wrote."""
    if not pks:
        return 0
    return ChargingSession.objects.filter(pk__in=pks, status=SessionStatus.CHARGING).update(last_seen_at_point=now)


def session_mark_stop_owed(session: ChargingSession, central_session_id: str | None) -> bool:
    """Central still runs (or accepted late) a session the dashboard ended: record, once, that central must
    stop it (`central_stop_pending`), with central's id when it names one. Returns whether it was marked."""
    if session.central_stop_pending or session.central_stopped_at:
        return False
    updated = ChargingSession.objects.filter(
        pk=session.pk, central_stop_pending=False, central_stopped_at__isnull=True
    ).update(central_stop_pending=True)
    if updated:
        session_adopt_central_id(session, central_session_id)
        logger.info(
            "central still runs %s (%s): stopping session %s at central",
            session.request_id,
            session.status,
            central_session_id or session.session_id,
        )
    return bool(updated)


def session_mark_stopped_at_central(session: ChargingSession, central_session_id: str, now) -> None:
    """Central confirmed (or no longer holds) the stop the dashboard owed; its id is kept for the ticket."""
    updated = ChargingSession.objects.filter(pk=session.pk, central_stopped_at__isnull=True).update(
        central_stop_pending=False, central_stopped_at=now
    )
    if updated:
        session_adopt_central_id(session, central_session_id)


def session_record_final_figures(session: ChargingSession, figures: dict) -> bool:
    """The ticket's final energy, cost and times on a finished session; the driver is told once, in plain
    words. Returns whether anything changed."""
    same = all(getattr(session, field) == value for field, value in figures.items())
    if same and session.ticket_received_at:
        return False
    first_ticket = session.ticket_received_at is None
    updated = (
        ChargingSession.objects.filter(pk=session.pk)
        .filter(~Q(status__in=OPEN_STATUSES))
        .update(**figures, ticket_received_at=session.ticket_received_at or timezone.now())
    )
    if not updated:
        return False
    finished_session_corrected.send(sender=ChargingSession, pk=session.pk)
    if first_ticket:
        # The driver was told how the session ended with the last known figures (or, for a session the
        # dashboard ended while central ran it, nothing yet): these are the billed ones, said once.
        notification_for_session(
            session=session,
            message=final_figures_message(session, figures["energy_kwh"], figures["cost_eur"]),
            dedupe_key=f"ticket:{session.request_id}",
        )
    return True


def final_figures_message(session: ChargingSession, energy_kwh, cost_eur) -> str:
    """What the driver is told when central's ticket arrives for a finished session, in plain words."""
    point = session.charging_point.cp_id
    figures = format_figures(energy_kwh, cost_eur)
    stopped_by_us = session.central_stop_pending or session.central_stopped_at is not None
    if session.status == SessionStatus.CANCELLED:
        return f"Central accepted your request at {point} after you cancelled it; it was stopped at once: {figures}"
    if session.status == SessionStatus.FAILED and stopped_by_us and session.reason == NO_ANSWER_REASON:
        return f"Central accepted your request at {point} after it had timed out; it was stopped at once: {figures}"
    if session.status == SessionStatus.FAILED and stopped_by_us:
        return f"Your session at {point} ended ({plain_reason(session.reason)}); it was stopped at central: {figures}"
    return f"Final figures for your session at {point}: {figures}"
