"""Periodic work on charging points (listed in config/periodic.py)."""

from celery import shared_task

from chargingpoints.sync import central_poll_once


@shared_task(ignore_result=True)
def poll_central() -> dict:
    """Read central's GET /cp and apply it (every CENTRAL_POLL_INTERVAL seconds)."""
    return central_poll_once()
