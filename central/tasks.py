"""Celery tasks of everything that talks to central: thin wrappers that take ids and call the sync layer.

Every periodic one is listed in config/periodic.py; each is safe to overlap with itself.
"""

import logging

from celery import shared_task
from django.conf import settings

from central.sync.consumer import central_events_drain
from central.sync.outbox import outbox_resend_unsent
from central.sync.poll import central_poll_once
from central.sync.stops import session_stop_abandoned_at_central, sessions_abandoned_at_central
from sessions_app.services.queue import queues_drop_stale
from sessions_app.services.timeouts import sessions_expire_unanswered, sessions_fail_long_silent

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def poll_central() -> dict:
    """Read central's GET /cp and apply it (every CENTRAL_POLL_INTERVAL seconds)."""
    return central_poll_once()


@shared_task(bind=True, ignore_result=True, max_retries=3)
def stop_abandoned_session_at_central(self, session_pk: int) -> None:
    """Stop at central a session the dashboard ended while central may still run it.

    Retried a few times when central is unreachable; `stop_abandoned_sessions` keeps retrying after.
    """
    stopped = session_stop_abandoned_at_central(session_pk)
    if not stopped and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(countdown=settings.CENTRAL_STOP_RETRY_SECONDS)


@shared_task(ignore_result=True)
def stop_abandoned_sessions() -> int:
    """Periodic: retry the central stop of every abandoned session still marked pending."""
    return sum(session_stop_abandoned_at_central(pk) for pk in sessions_abandoned_at_central())


@shared_task(ignore_result=True)
def drain_central_events() -> int:
    """Periodic: apply the updates and tickets waiting on Kafka (one long-lived consumer per process)."""
    return central_events_drain()


@shared_task(ignore_result=True)
def resend_outbox() -> int:
    """Periodic: re-produce outbox rows the broker has not acknowledged."""
    return outbox_resend_unsent()


@shared_task(ignore_result=True)
def expire_unanswered_requests() -> int:
    """Periodic: PENDING requests older than REQUEST_TIMEOUT_SECONDS fail ("Central did not answer"), sessions
    central has said nothing about for SESSION_MAX_SILENCE_SECONDS fail too, and queued requests whose point
    stayed offline (or that waited too long) leave the queue."""
    return sessions_expire_unanswered() + sessions_fail_long_silent() + queues_drop_stale()
