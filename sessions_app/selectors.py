"""Reads on a driver's charging sessions (always scoped to that driver)."""

from django.db.models import F, QuerySet

from drivers.models import Driver
from sessions_app.models import ChargingSession
from sessions_app.status import FINISHED_STATUSES, OPEN_STATUSES


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
