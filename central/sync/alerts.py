"""What the poll's view of central means for drivers: alerts about offline points and central's outages."""

from common.datetimes import iso_z
from notifications.services import notification_alert_for_session, notifications_with_key
from sessions_app.models import ChargingSession
from sessions_app.status import OPEN_STATUSES, SessionStatus


def pending_requests_alert_offline_points() -> int:
    """One ALERT per pending request whose point is OFFLINE, once per offline spell."""
    created = 0
    pending = ChargingSession.objects.select_related("charging_point", "driver").filter(
        status=SessionStatus.PENDING, charging_point__status="OFFLINE"
    )
    for session in pending:
        point = session.charging_point
        _, new = notification_alert_for_session(
            session=session,
            message=f"{point.cp_id} ({point.name}) went offline while your request is pending",
            dedupe_key=f"cp-offline:{session.request_id}:{iso_z(point.status_changed_at)}",
        )
        created += new
    return created


def drivers_alert_central_outage(*, since, back: bool) -> int:
    """One ALERT to each driver with an open session when central is away (the poll calls this once
    per outage, `since` its start); when it is back, one ALERT to each driver who was told it was away."""
    down_key = f"central-down:{iso_z(since)}"
    if back:
        targets = [(note.driver, note.session) for note in notifications_with_key(down_key)]
        message, key = "Central is reachable again: session updates resume", f"central-back:{iso_z(since)}"
    else:
        sessions = ChargingSession.objects.select_related("driver").filter(status__in=OPEN_STATUSES)
        targets = [(session.driver, session) for session in sessions]
        message, key = "Central is unreachable: your session's status may be out of date", down_key
    created = 0
    for driver, session in targets:
        _, new = notification_alert_for_session(session=session, driver=driver, message=message, dedupe_key=key)
        created += new
    return created
