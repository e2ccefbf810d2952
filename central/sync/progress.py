"""Where a consumer of central's events records how far it has got (ConsumerProgress), for the poll.

The poll's silence rule reads it (`sessions_app.selectors.consumers_caught_up_at`): a session is failed for
silence only once every running consumer has applied what central sent before the grace period ran out.
One row per consumer process; written at most once per second while the poll is needed at full pace
(central/sync/demand.py: an open session, a driver active...), else every IDLE_WRITE_EVERY_SECONDS: with no open
session the silence rule has nothing to judge, and an idle consumer then costs a cache read a second instead of an
UPDATE (issue 12). A stale mark only ever delays a silence failure, never causes one.
"""

import logging
import os
import socket
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from central.models import ConsumerProgress
from central.sync.demand import central_poll_needed

logger = logging.getLogger(__name__)

WRITE_EVERY_SECONDS = 1.0
# Well inside KAFKA_CONSUMER_LIVE_SECONDS (60 s), so an idle consumer still counts as running.
IDLE_WRITE_EVERY_SECONDS = 15.0


class ProgressRecorder:
    def __init__(self, group_id: str):
        self.name = f"{group_id}:{socket.gethostname()}:{os.getpid()}"[:200]
        self._caught_up_at: datetime | None = None
        self._written_at = 0.0

    def caught_up(self, since: datetime) -> None:
        """Nothing was waiting on any assigned partition for a poll that started at `since`."""
        self._caught_up_at = since
        self.beat()

    def beat(self, *, force: bool = False) -> None:
        since = time.monotonic() - self._written_at
        if not force and (
            since < WRITE_EVERY_SECONDS or (since < IDLE_WRITE_EVERY_SECONDS and not central_poll_needed())
        ):
            return
        self._written_at = time.monotonic()
        try:
            ConsumerProgress.objects.update_or_create(
                name=self.name, defaults={"caught_up_at": self._caught_up_at, "heartbeat_at": timezone.now()}
            )
        except DatabaseError as exc:  # the database is down: the batch logic reports that; progress can wait
            logger.debug("could not record consumer progress: %s", exc)

    def leave(self) -> None:
        """A consumer that stops cleanly is no longer waited for."""
        try:
            ConsumerProgress.objects.filter(name=self.name).delete()
        except DatabaseError as exc:
            logger.debug("could not remove consumer progress: %s", exc)


def consumers_caught_up_at(*, now: datetime) -> datetime | None:
    """The time up to which every running consumer of central's events has applied what central sent, or None
    when no consumer runs (or one has not caught up yet). See ConsumerProgress."""
    live_since = now - timedelta(seconds=settings.KAFKA_CONSUMER_LIVE_SECONDS)
    marks = list(ConsumerProgress.objects.filter(heartbeat_at__gte=live_since).values_list("caught_up_at", flat=True))
    if not marks or any(mark is None for mark in marks):
        return None
    return min(marks)
