"""Publishing an event: after the database commit, one XADD (MAXLEN ~) per event into the capped stream.

An entry is `{"type": "session" | "notification" | "alert" | "point", "driver": driver_id or "" (every driver),
"data": one-line JSON}`; its Redis id is the event's id on every stream (strictly increasing). Publishing never
fails a write: it happens after commit, and when Redis cannot be reached the events are dropped with one warning
per outage (the page then polls, as it does whenever its stream is down).
"""

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple

import redis
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed publish, this many seconds without trying: an unreachable Redis must not slow every write.
_RETRY_AFTER_SECONDS = 5.0


class Event(NamedTuple):
    type: str
    data: object  # JSON-serialisable, or bytes already rendered as JSON
    driver_id: str = ""  # "" = every driver (alerts, points)


class _Publisher:
    def __init__(self):
        self._lock = threading.Lock()
        self._client: redis.Redis | None = None
        self._down_since: float | None = None

    def client(self) -> redis.Redis:
        with self._lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    settings.EVENTS_REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2.0
                )
            return self._client

    def send(self, events: list[Event]) -> int:
        """XADD every event in one pipeline; returns how many were stored (0 while Redis is unreachable)."""
        if not events:
            return 0
        if self._down_since is not None and time.monotonic() - self._down_since < _RETRY_AFTER_SECONDS:
            return 0
        try:
            pipe = self.client().pipeline(transaction=False)
            for event in events:
                pipe.xadd(
                    settings.EVENTS_STREAM,
                    {"type": event.type, "driver": event.driver_id, "data": _json(event.data)},
                    maxlen=settings.EVENTS_STREAM_MAXLEN,
                    approximate=True,
                )
            pipe.execute()
        except redis.RedisError as exc:
            if self._down_since is None:
                logger.warning(
                    "live updates not published: Redis at %s is unreachable (%s); pages fall back to polling",
                    _safe_url(settings.EVENTS_REDIS_URL),
                    exc,
                )
            self._down_since = time.monotonic()
            return 0
        if self._down_since is not None:
            logger.info("live updates published again: Redis at %s is back", _safe_url(settings.EVENTS_REDIS_URL))
            self._down_since = None
        return len(events)

    def reset(self) -> None:
        """Forget the client and any outage (tests that change EVENTS_REDIS_URL)."""
        with self._lock:
            self._client = None
            self._down_since = None


publisher = _Publisher()


def _json(data) -> bytes:
    if isinstance(data, bytes):
        return data
    return json.dumps(data, separators=(",", ":")).encode()


def _safe_url(url: str) -> str:
    # Never log a password that may be in the URL.
    return url.split("@", 1)[-1]


def events_publish_on_commit(build: Callable[[], Iterable[Event]]) -> None:
    """After the current transaction commits (at once outside one), call `build` and publish what it returns.

    `build` runs after the commit, so it reads what was committed (the page's data as the API answers it now);
    nothing is published when the transaction rolls back. Any failure is logged, never raised to the writer.
    """

    def publish() -> None:
        try:
            events = list(build())
        except Exception:
            logger.exception("live update not published: building it failed")
            return
        publisher.send(events)

    transaction.on_commit(publish)


# Events whose data only a higher layer can build (a point's queue and wait are the discovery app's): that app
# registers its builder at start-up, and the layer that sees the change publishes by key.
_builders: dict[str, Callable[[list], Iterable[Event]]] = {}


def events_builder_register(event_type: str, build: Callable[[list], Iterable[Event]]) -> None:
    _builders[event_type] = build


def events_publish_keys_on_commit(event_type: str, keys: Iterable) -> None:
    """After commit, the events the registered builder makes of `keys` (all in one pipeline)."""
    keys = list(keys)
    build = _builders.get(event_type)
    if not keys or build is None:
        return
    events_publish_on_commit(lambda: build(keys))
