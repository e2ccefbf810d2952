"""Every periodic job of the dashboard, listed in one place (read by Celery beat)."""

from django.conf import settings


def periodic_jobs() -> dict:
    """Beat schedule entries: name -> {task, schedule (seconds)}.

    Jobs are safe to overlap: each claims its rows with conditional updates.
    """
    return {
        "poll-central": {"task": "chargingpoints.tasks.poll_central", "schedule": settings.CENTRAL_POLL_INTERVAL},
        "drain-central-events": {"task": "sessions_app.tasks.drain_central_events", "schedule": 1.0},
        "resend-outbox": {"task": "sessions_app.tasks.resend_outbox", "schedule": 2.0},
        "expire-requests": {"task": "sessions_app.tasks.expire_unanswered_requests", "schedule": 2.0},
        "stop-abandoned-sessions": {
            "task": "sessions_app.tasks.stop_abandoned_sessions",
            "schedule": settings.CENTRAL_STOP_RETRY_SECONDS,
        },
    }
