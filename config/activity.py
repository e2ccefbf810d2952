"""The request side of "poll central fast only while somebody needs it" (central/sync/demand.py, issue 12).

Every request a driver makes (the page, the API, the event stream's opening) marks driver activity
(common/activity.py), so the poll keeps its full pace (CENTRAL_POLL_INTERVAL) for CENTRAL_POLL_ACTIVE_SECONDS
after. The first request after a quiet spell also queues one poll at once: while nobody was there it ran only every
CENTRAL_POLL_IDLE_INTERVAL, and a page opened then must show current statuses within a second or two, not after
the next idle poll. Beat sees the marker within CENTRAL_POLL_INTERVAL and takes over at full pace.

Health checks and static files are not a driver (a load balancer's probes would keep the poll fast for ever).
Cost per request: an in-process time check; a cache write at most every few seconds per process; a task sent at
most once per quiet spell.
"""

import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings

from central.tasks import poll_central
from common.activity import activity_mark, activity_mark_due

logger = logging.getLogger(__name__)

NOT_A_DRIVER = ("/health", "/favicon.ico")


def _is_a_driver(path: str) -> bool:
    return not path.startswith(NOT_A_DRIVER) and not (settings.STATIC_URL and path.startswith(settings.STATIC_URL))


def driver_activity_mark() -> None:
    """Mark activity; after a quiet spell, fetch a fresh picture of central now. Never raises."""
    if not activity_mark():
        return
    try:
        poll_central.apply_async(expires=settings.CENTRAL_POLL_IDLE_INTERVAL)
    except Exception as exc:  # Celery's broker is down: beat's next poll brings the picture instead
        logger.warning("could not queue a poll of central after a quiet spell: %s", exc)


class DriverActivityMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        if activity_mark_due() and _is_a_driver(request.path):
            driver_activity_mark()
        return self.get_response(request)

    async def __acall__(self, request):
        # The events process's event loop: the cache write (and the rare task) run in a thread.
        if activity_mark_due() and _is_a_driver(request.path):
            await sync_to_async(driver_activity_mark, thread_sensitive=False)()
        return await self.get_response(request)
