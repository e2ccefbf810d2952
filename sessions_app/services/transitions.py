"""The one writer of a session's status.

It locks the row, checks the move against `sessions_app.status.ALLOWED_TRANSITIONS`, writes the
status, its timestamps and a history row together, and records the driver's notification in the
same transaction (deduplicated per session and status, so a replayed event notifies nobody twice).
"""

import logging
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from common.errors import IllegalTransition
from notifications.services import notification_for_session
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.selectors import session_central_id_change
from sessions_app.services.push import session_event_publish
from sessions_app.status import FINISHED_STATUSES, SessionStatus, is_allowed
from sessions_app.wording import plain_reason

logger = logging.getLogger(__name__)

# Facts a caller may record together with a status change, and nothing else: the ticket's final figures and
# times, whether the dashboard ended the session on its own (and owes central a stop), the last sign of life.
_CHANGEABLE_FIELDS = frozenset(
    {
        "started_at",
        "completed_at",
        "energy_kwh",
        "cost_eur",
        "ticket_received_at",
        "central_stop_pending",
        "ended_by_dashboard",
        "last_seen_at_point",
    }
)


def session_transition(
    *,
    session: ChargingSession | int,
    to_status: str,
    source: str,
    reason: str = "",
    at: datetime | None = None,
    changes: dict | None = None,
    central_session_id: str | None = None,
    strict: bool = True,
    from_statuses=None,
) -> tuple[ChargingSession, bool]:
    """Move a session to `to_status`. Returns (session as stored, whether it changed).

    Locks the session row (only that row: not its point or driver) for the rest of the caller's
    transaction. Moving to the current status is a no-op. A provisional FAILED (`is_provisional_failure`)
    may still become COMPLETED when central's own end arrives.
    An illegal move raises `IllegalTransition` (409 in the API), or with `strict=False`
    is logged and ignored: incoming events use that, because late and duplicated messages are normal.
    With `from_statuses`, the move happens only if the locked row is still in one of them (a claim:
    periodic jobs use it so a session that moved meanwhile is left alone). `central_session_id` is stored
    with the move when the session may take it (`session_central_id_change`: never another session's id).
    """
    changes = dict(changes or {})
    unknown = set(changes) - _CHANGEABLE_FIELDS
    if unknown:
        raise ValueError(f"session_transition cannot change {sorted(unknown)}")
    pk = session.pk if isinstance(session, ChargingSession) else session
    now = at or timezone.now()

    with transaction.atomic():
        # `of=("self",)`: FOR UPDATE on the session row alone. Without it PostgreSQL also locks the joined
        # point and driver rows, which the poll locks in the opposite order.
        locked = (
            ChargingSession.objects.select_for_update(of=("self",))
            .select_related("charging_point", "driver")
            .get(pk=pk)
        )
        from_status = locked.status
        if from_status == to_status:
            return locked, False
        if from_statuses is not None and from_status not in from_statuses:
            return locked, False
        if not is_allowed(from_status, to_status, provisional=is_provisional_failure(locked)):
            if strict:
                raise IllegalTransition(
                    f"Session {locked.session_id} is {from_status} and cannot become {to_status}",
                    status=from_status,
                )
            logger.info(
                "ignored %s -> %s for %s (%s): not an allowed move", from_status, to_status, locked.request_id, source
            )
            return locked, False

        for field, value in {**changes, **session_central_id_change(locked, central_session_id)}.items():
            setattr(locked, field, value)
        locked.status = to_status
        if reason:
            locked.reason = reason[:500]
        _stamp_times(locked, to_status, now)
        locked.save()
        SessionTransition.objects.create(
            session=locked,
            from_status=from_status,
            to_status=to_status,
            reason=locked.reason,
            source=source,
            created_at=now,
        )
        notification_for_session(
            session=locked, message=status_message(locked), dedupe_key=f"session:{locked.request_id}:{to_status}"
        )
        session_event_publish(driver=locked.driver)
    logger.info("session %s %s -> %s (%s) %s", locked.request_id, from_status, to_status, source, locked.reason)
    return locked, True


def is_provisional_failure(session: ChargingSession) -> bool:
    """A FAILED the dashboard inferred on its own, without stopping the session at central itself."""
    return (
        session.status == SessionStatus.FAILED
        and session.ended_by_dashboard
        and not session.central_stop_pending
        and session.central_stopped_at is None
    )


def _stamp_times(session: ChargingSession, to_status: str, now: datetime) -> None:
    if to_status == SessionStatus.APPROVED and session.approved_at is None:
        session.approved_at = now
    if to_status == SessionStatus.CHARGING and session.started_at is None:
        session.started_at = now
    if to_status in FINISHED_STATUSES and session.completed_at is None:
        session.completed_at = now
    if session.queue_position is not None and to_status != SessionStatus.PENDING:
        session.queue_position = None


def format_figures(energy_kwh, cost_eur) -> str:
    """ "0.13 kWh, €0.04": rounded half-up to cents, as central writes its own figures."""
    cent = Decimal("0.01")
    energy = Decimal(str(energy_kwh if energy_kwh is not None else 0)).quantize(cent, rounding=ROUND_HALF_UP)
    cost = Decimal(str(cost_eur if cost_eur is not None else 0)).quantize(cent, rounding=ROUND_HALF_UP)
    return f"{energy} kWh, €{cost}"


def _figures(session: ChargingSession) -> str:
    return format_figures(session.energy_kwh, session.cost_eur)


def status_message(session: ChargingSession) -> str:
    """What the driver is told when the session reaches its current status."""
    cp = session.charging_point.cp_id
    messages = {
        SessionStatus.PENDING: f"Request sent for {cp}",
        SessionStatus.APPROVED: f"Session approved for {cp}",
        SessionStatus.CHARGING: f"Charging started at {cp}",
        SessionStatus.COMPLETED: f"Charging completed at {cp}: {_figures(session)}",
        SessionStatus.STOPPED: f"Charging stopped at {cp}: {_figures(session)}",
        # Central's reason in the driver's words ("(state: DISCONNECTED)" -> "This point is offline").
        SessionStatus.DENIED: f"Request for {cp} denied: {plain_reason(session.reason)}",
        SessionStatus.FAILED: f"Session at {cp} failed: {plain_reason(session.reason, default='unknown error')}",
        SessionStatus.CANCELLED: f"Request for {cp} cancelled",
    }
    return messages[session.status]
