"""Reads on charging sessions."""

import logging

from django.db.models import F, QuerySet

from drivers.models import Driver
from sessions_app.models import ChargingSession
from sessions_app.status import FINISHED_STATUSES, OPEN_STATUSES

logger = logging.getLogger(__name__)


def session_current(*, driver: Driver) -> ChargingSession | None:
    """The driver's open session (PENDING, APPROVED or CHARGING), or None. At most one exists."""
    return (
        ChargingSession.objects.select_related("charging_point")
        .filter(driver=driver, status__in=OPEN_STATUSES)
        .order_by("-requested_at", "-id")
        .first()
    )


def session_history(*, driver: Driver, limit: int | None = None, offset: int = 0) -> QuerySet[ChargingSession]:
    """The driver's finished sessions, newest first (by completion, then request time)."""
    sessions = (
        ChargingSession.objects.select_related("charging_point")
        .filter(driver=driver, status__in=FINISHED_STATUSES)
        .order_by(F("completed_at").desc(nulls_last=True), "-requested_at", "-id")
    )
    if limit is None:
        return sessions[offset:]
    return sessions[offset : offset + limit]


def session_central_id(session: ChargingSession) -> str:
    """Central's id for the session. When its `accepted` was lost (the session still has its pending id), the
    poll's view of the point names it, provided central has this driver there and no other session owns it."""
    if session.has_central_session_id:
        return session.session_id
    point = session.charging_point
    if point.central_session_id and point.central_driver_id == session.driver.driver_id:
        taken = ChargingSession.objects.filter(session_id=point.central_session_id).exclude(pk=session.pk).exists()
        if not taken:
            return point.central_session_id
    return session.session_id


def session_central_id_change(session: ChargingSession, central_session_id: str | None) -> dict:
    """{'session_id': ...} when central's id may be stored on this session (never steals another's id)."""
    if not central_session_id or central_session_id.startswith("pending-") or session.has_central_session_id:
        return {}
    if ChargingSession.objects.filter(session_id=central_session_id).exclude(pk=session.pk).exists():
        logger.warning("central session id %s already belongs to another session", central_session_id)
        return {}
    return {"session_id": central_session_id}
