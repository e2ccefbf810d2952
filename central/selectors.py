"""Reads on the conversation with central: how the poll is going."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from central.models import CentralSyncState


@dataclass(frozen=True)
class CentralSyncStatus:
    central_reachable: bool
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    unreachable_since: datetime | None
    stale: bool
    last_error: str | None


def central_stale_after() -> timedelta:
    """How old the last successful poll may be before the live data counts as stale. While nobody needs the
    poll it runs every CENTRAL_POLL_IDLE_INTERVAL (central/sync/demand.py): that, and 2 s for the poll itself,
    must not count as stale either."""
    return timedelta(seconds=max(10.0, 5 * settings.CENTRAL_POLL_INTERVAL, settings.CENTRAL_POLL_IDLE_INTERVAL + 2.0))


def central_sync_status(*, now: datetime | None = None) -> CentralSyncStatus:
    """How the poll of central is going. Reads only: a missing row means "never polled"."""
    now = now or timezone.now()
    state = CentralSyncState.objects.filter(singleton=1).first() or CentralSyncState()
    stale = state.last_success_at is None or now - state.last_success_at > central_stale_after()
    return CentralSyncStatus(
        central_reachable=state.last_success_at is not None and state.unreachable_since is None,
        last_success_at=state.last_success_at,
        last_attempt_at=state.last_attempt_at,
        unreachable_since=state.unreachable_since,
        stale=stale,
        last_error=state.last_error or None,
    )
