"""Every periodic job of the dashboard, listed in one place (read by Celery beat)."""

from django.conf import settings


def _job(task: str, every: float) -> dict:
    # A run still queued when the next one is due is dropped (`expires`), so a slow dependency
    # (Kafka or central down) never piles up a backlog of identical runs.
    return {"task": task, "schedule": every, "options": {"expires": max(every, 1.0)}}


# The safety nets of failures (a message Kafka did not take, a request central never answered, a queued request
# whose point stayed offline) are checked every 5 s, not 2 s: each run costs the worker and beat a task whether or
# not anything is due, and these nets act on ages of 12 s (KAFKA_OUTBOX_RESEND_AFTER) and 30 s
# (REQUEST_TIMEOUT_SECONDS) and up, so acting up to 5 s after the age instead of 2 s is what the idle stack's CPU
# costs (README "Idle CPU"). The poll of central, which is what drivers see, keeps its own interval.
SAFETY_NET_EVERY_SECONDS = 5.0


def periodic_jobs() -> dict:
    """Beat schedule entries: name -> {task, schedule (seconds), options}.

    Jobs are safe to overlap: each claims its rows with conditional updates.
    """
    jobs = {
        "poll-central": _job("central.tasks.poll_central", settings.CENTRAL_POLL_INTERVAL),
        "resend-outbox": _job("central.tasks.resend_outbox", SAFETY_NET_EVERY_SECONDS),
        "expire-requests": _job("central.tasks.expire_unanswered_requests", SAFETY_NET_EVERY_SECONDS),
        "stop-abandoned-sessions": _job("central.tasks.stop_abandoned_sessions", settings.CENTRAL_STOP_RETRY_SECONDS),
    }
    if settings.CENTRAL_EVENTS_DRAIN_TASK:
        jobs["drain-central-events"] = _job("central.tasks.drain_central_events", 1.0)
    return jobs
