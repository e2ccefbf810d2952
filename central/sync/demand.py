"""Does anybody need the poll of central at its full pace now? (issue 12: the idle stack's CPU)

The poll (every CENTRAL_POLL_INTERVAL) and the failure safety nets cost the worker and beat a task each time,
whether or not anything is going on. They run at full pace while any of these holds, else at their idle pace
(CENTRAL_POLL_IDLE_INTERVAL for the poll; config/periodic.py):

- a driver used the product within CENTRAL_POLL_ACTIVE_SECONDS (an API request or an open event stream:
  common/activity.py), so what they look at stays current;
- the poll has follow-up work (recorded after each poll, `central_work_record`; central/sync/poll.py decides):
  an open session or request (PENDING, queued, APPROVED, CHARGING: silence checks, telemetry, the queue's
  dispatch, time-outs), a stop central is still owed, an active watch ("tell me when free"), or central
  unreachable (outage alerts, stale points).

Both are keys in Django's default cache (Redis when REDIS_URL is set), so beat on one host sees what the web and
worker processes on others wrote; reading them is one round trip, cheap enough for beat to ask every
CENTRAL_POLL_INTERVAL while idle, so it sends nothing until it is needed.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from common.activity import activity_key

logger = logging.getLogger(__name__)

# No model is imported here: beat's schedule (config/periodic.py) reads this module, and config imports it while
# Django is still loading. The poll decides what counts as work (central/sync/poll.py, `central_work_pending`).


def work_key() -> str:
    return f"driver-dashboard:poll-work:{connections['default'].settings_dict['NAME']}"


def _work_marker_seconds() -> float:
    # Outlives a few idle polls, so a worker that stopped polling leaves no "busy" behind for long.
    return 3 * max(settings.CENTRAL_POLL_IDLE_INTERVAL, settings.CENTRAL_POLL_INTERVAL)


def central_work_record(pending: bool) -> None:
    """After a poll: record whether it has follow-up work, for `central_poll_needed`. Never raises (the cache
    down: logged, and the poll runs at full pace anyway, see `central_poll_needed`)."""
    try:
        if pending:
            cache.set(work_key(), True, timeout=_work_marker_seconds())
        else:
            cache.delete(work_key())
    except Exception as exc:
        logger.warning("could not record the poll's follow-up work: %s", exc)


def central_poll_needed() -> bool:
    """Should the poll (and the safety nets) run at full pace now? Read by beat (config/periodic.py) before each
    run. When the cache cannot answer, yes: a missed need would slow what drivers see, a wrong yes only costs CPU."""
    try:
        found = cache.get_many([activity_key(), work_key()])
    except Exception as exc:
        logger.warning("could not read whether the poll is needed (polling at full pace): %s", exc)
        return True
    return bool(found)
