"""Celery tasks of the session life cycle: thin wrappers that take ids and call services."""

from celery import shared_task


@shared_task
def stop_abandoned_session_at_central(session_pk: int) -> None:
    """Stop at central a session the driver cancelled (or that timed out) after central accepted it."""
    # ISSUE-4: implemented by the central integration.
