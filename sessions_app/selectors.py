"""Reads on a driver's charging sessions (always scoped to that driver)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet

from drivers.models import Driver
from sessions_app.models import ChargingSession, ConsumerProgress
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


def consumers_caught_up_at(*, now: datetime) -> datetime | None:
    """The time up to which every running consumer of central's events has applied what central sent, or None
    when no consumer runs (or one has not caught up yet). See ConsumerProgress."""
    live_since = now - timedelta(seconds=settings.KAFKA_CONSUMER_LIVE_SECONDS)
    marks = list(ConsumerProgress.objects.filter(heartbeat_at__gte=live_since).values_list("caught_up_at", flat=True))
    if not marks or any(mark is None for mark in marks):
        return None
    return min(marks)
