"""What the poll of central means for sessions and drivers: telemetry, alerts, stops at central."""

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from config.exceptions import CentralUnavailable
from notifications.models import Notification
from notifications.services import notification_create
from sessions_app.central.client import CentralRefused, central_stop_session
from sessions_app.models import ChargingSession
from sessions_app.protocol import iso_z
from sessions_app.selectors import session_central_id
from sessions_app.status import OPEN_STATUSES, SessionStatus

logger = logging.getLogger(__name__)


# The largest value ChargingSession.energy_kwh / cost_eur (numeric(12, 4)) can hold.
_MAX_FIGURE = Decimal("99999999.9999")


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        return None
    # Out of the column's range, the UPDATE would fail and take the whole poll with it.
    return number if number.is_finite() and 0 <= number <= _MAX_FIGURE else None


def session_apply_telemetry(*, cp_pk: int, telemetry_session_id: str, kwh, euros) -> bool:
    """Energy and cost of the CHARGING session central names in the point's telemetry.

    Never backwards, never over a ticket's final figures; one conditional UPDATE, no notification.
    """
    energy, cost = _decimal(kwh), _decimal(euros)
    if not telemetry_session_id or energy is None:
        return False
    fields = {"energy_kwh": energy}
    if cost is not None:
        fields["cost_eur"] = cost
    return bool(
        ChargingSession.objects.filter(
            charging_point_id=cp_pk,
            session_id=telemetry_session_id,
            status=SessionStatus.CHARGING,
            ticket_received_at__isnull=True,
        )
        .filter(Q(energy_kwh__isnull=True) | Q(energy_kwh__lt=energy))
        .update(**fields)
    )


def pending_requests_alert_offline_points() -> int:
    """One ALERT per pending request whose point is OFFLINE, once per offline spell."""
    created = 0
    pending = ChargingSession.objects.select_related("charging_point", "driver").filter(
        status=SessionStatus.PENDING, charging_point__status="OFFLINE"
    )
    for session in pending:
        point = session.charging_point
        _, new = notification_create(
            driver=session.driver,
            type=Notification.Type.ALERT,
            message=f"{point.cp_id} ({point.name}) went offline while your request is pending",
            session=session,
            dedupe_key=f"cp-offline:{session.request_id}:{iso_z(point.status_changed_at)}",
        )
        created += new
    return created


def drivers_alert_central_outage(*, since, back: bool) -> int:
    """One ALERT to each driver with an open session when central is away (the poll calls this once
    per outage, `since` its start); when it is back, one ALERT to each driver who was told it was away."""
    down_key = f"central-down:{iso_z(since)}"
    if back:
        told = Notification.objects.select_related("driver", "session").filter(dedupe_key=down_key)
        targets = [(note.driver, note.session) for note in told]
        message, key = "Central is reachable again: session updates resume", f"central-back:{iso_z(since)}"
    else:
        sessions = ChargingSession.objects.select_related("driver").filter(status__in=OPEN_STATUSES)
        targets = [(session.driver, session) for session in sessions]
        message, key = "Central is unreachable: your session's status may be out of date", down_key
    created = 0
    for driver, session in targets:
        _, new = notification_create(
            driver=driver, type=Notification.Type.ALERT, message=message, session=session, dedupe_key=key
        )
        created += new
    return created


def session_stop_at_central_soon(session_pk: int) -> None:
    """Queue `session_stop_abandoned_at_central` (call after commit). Never raises: with Celery's broker
    down, the periodic `stop_abandoned_sessions` retries every session still marked central_stop_pending."""
    from sessions_app.tasks import stop_abandoned_session_at_central

    try:
        stop_abandoned_session_at_central.delay(session_pk)
    except Exception as exc:
        logger.warning("could not queue the central stop of session %s: %s", session_pk, exc)


def session_stop_abandoned_at_central(session_pk: int, *, now=None) -> bool:
    """Stop at central a session the dashboard ended (cancelled, timed out, failed) while central may run it.

    The session keeps its status (CANCELLED/FAILED); `central_stopped_at` records the stop. Returns False when
    central could not be reached, or the session cannot be named yet (its `accepted` is lost and the poll does
    not show it): the caller retries. Central refusing (the session is no longer current at the point) counts
    as done: nothing is held there. A session still unnamed after CENTRAL_STOP_UNNAMED_GIVE_UP_SECONDS is
    given up (central never showed it).
    """
    now = now or timezone.now()
    session = ChargingSession.objects.select_related("charging_point", "driver").filter(pk=session_pk).first()
    if session is None or not session.central_stop_pending or session.central_stopped_at:
        return True
    central_id = session_central_id(session)
    if central_id.startswith("pending-"):
        ended = session.completed_at or session.requested_at
        if now - ended < timedelta(seconds=settings.CENTRAL_STOP_UNNAMED_GIVE_UP_SECONDS):
            return False
        logger.warning("gave up stopping %s at central: central never named its session", session.request_id)
        _central_stop_done(session, central_id, now)
        return True
    try:
        central_stop_session(
            cp_id=session.charging_point.cp_id, driver_id=session.driver.driver_id, session_id=central_id
        )
    except CentralRefused as exc:
        logger.info("central refused to stop abandoned session %s: %s (treated as stopped)", central_id, exc)
    except CentralUnavailable:
        logger.warning("could not stop abandoned session %s at central; will retry", central_id)
        return False
    _central_stop_done(session, central_id, now)
    logger.info("stopped abandoned session %s (%s) at central", central_id, session.status)
    return True


def _central_stop_done(session: ChargingSession, central_id: str, now) -> None:
    fields = {"central_stop_pending": False, "central_stopped_at": now}
    if central_id != session.session_id and not central_id.startswith("pending-"):
        fields["session_id"] = central_id  # so that central's ticket still finds this session
    ChargingSession.objects.filter(pk=session.pk, central_stopped_at__isnull=True).update(**fields)


def sessions_abandoned_at_central() -> list[int]:
    return list(
        ChargingSession.objects.filter(central_stop_pending=True, central_stopped_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
