"""Stopping at central what the dashboard ended while central may still run it (retried until confirmed)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from central.gateway.http import central_stop_session
from common.errors import CentralRefused, CentralUnavailable
from sessions_app.models import ChargingSession
from sessions_app.selectors import session_central_id
from sessions_app.services.records import session_mark_stopped_at_central

logger = logging.getLogger(__name__)


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
        session_mark_stopped_at_central(session, central_id, now)
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
    session_mark_stopped_at_central(session, central_id, now)
    logger.info("stopped abandoned session %s (%s) at central", central_id, session.status)
    return True


def sessions_abandoned_at_central() -> list[int]:
    return list(
        ChargingSession.objects.filter(central_stop_pending=True, central_stopped_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
