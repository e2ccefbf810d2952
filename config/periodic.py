"""Every periodic job of the dashboard, listed in one place (read by Celery beat)."""

from django.conf import settings


def _job(task: str, every: float) -> dict:
    # A run still queued when the next one is due is dropped (`expires`), so a slow dependency
    # (Kafka or central down) never piles up a backlog of identical runs.
    return {"task": task, "schedule": every, "options": {"expires": max(every, 1.0)}}


def periodic_jobs() -> dict:
    """Beat schedule entries: name -> {task, schedule (seconds), options}.

    Jobs are safe to overlap: each claims its rows with conditional updates.
    """
    jobs = {
        "poll-central": _job("central.tasks.poll_central", settings.CENTRAL_POLL_INTERVAL),
        "resend-outbox": _job("central.tasks.resend_outbox", 2.0),
        "expire-requests": _job("central.tasks.expire_unanswered_requests", 2.0),
        "stop-abandoned-sessions": _job("central.tasks.stop_abandoned_sessions", settings.CENTRAL_STOP_RETRY_SECONDS),
    }
    if settings.CENTRAL_EVENTS_DRAIN_TASK:
        jobs["drain-central-events"] = _job("central.tasks.drain_central_events", 1.0)
    return jobs
