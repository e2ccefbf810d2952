"""Serving the stream in an events process: one XREAD loop per process (`Dispatcher`), fanned out to an
in-process queue per connection, with the replay of a reconnect (`Last-Event-ID`) read by XRANGE.

How a connection gets every event once, in order: its queue is registered first, then the stream's position is
read (XINFO) and, on a reconnect, what it missed (XRANGE after its Last-Event-ID). Whatever reaches the queue
at or below the last id it was given then is dropped, so nothing is sent twice and nothing falls between the
replay and the live events. A Last-Event-ID the stream can no longer replay (trimmed away by MAXLEN, newer than
anything published, or unreadable) gets one `resync` instead: the page refetches everything.
"""

import asyncio
import logging
from dataclasses import dataclass, field

import redis
import redis.asyncio as aioredis

from common.activity import activity_mark, activity_mark_due

logger = logging.getLogger(__name__)

KEEPALIVE = b": keep-alive\n\n"
# A connection that falls this far behind is closed: the browser reconnects and catches up by replay.
QUEUE_SIZE = 1000
_BLOCK_MS = 5000
_RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)
_CLOSE = object()

StreamId = tuple[int, int]


def parse_id(text: str | bytes | None) -> StreamId | None:
    """A Redis stream id ("1712345678901-3") as a comparable tuple; None when it is not one."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    milliseconds, _, sequence = (text or "").strip().partition("-")
    if not (milliseconds.isdigit() and sequence.isdigit()):
        return None
    return int(milliseconds), int(sequence)


def format_id(stream_id: StreamId) -> str:
    return f"{stream_id[0]}-{stream_id[1]}"


def frame(event_id: str, event_type: str, data: bytes) -> bytes:
    """One server-sent event; `data` is one line of JSON (JSON never needs a raw newline)."""
    return b"id: %s\nevent: %s\ndata: %s\n\n" % (event_id.encode(), event_type.encode(), data)


@dataclass(eq=False)
class Subscription:
    driver_id: str
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE))

    def put(self, item) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # Too far behind: end this connection (its browser reconnects and replays from its last id).
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_CLOSE)


@dataclass
class Opening:
    """What a new connection sends first (a replay or a resync), and the last stream id that covers."""

    subscription: Subscription
    first: list[bytes]
    after: StreamId


class Dispatcher:
    """The one XREAD BLOCK loop of this process (and event loop), and its connections."""

    def __init__(self, url: str, stream: str):
        self.stream = stream
        # The read timeout must outlast XREAD's BLOCK, else every quiet spell looks like an outage.
        self.client = aioredis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=_BLOCK_MS / 1000 + 5)
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._task: asyncio.Task | None = None
        self._position: str | None = None

    # --- connections --------------------------------------------------------------------------------

    async def open(self, driver_id: str, last_event_id: str | None) -> Opening:
        """Register a connection and work out what it gets first. Raises redis.RedisError when Redis is down."""
        self._ensure_running()
        subscription = Subscription(driver_id)
        self._subscriptions.setdefault(driver_id, set()).add(subscription)
        try:
            last, trimmed_up_to = await self._stream_state()
            if last_event_id is None:
                return Opening(subscription, [], last)
            asked = parse_id(last_event_id)
            if asked is None or asked > last or asked < trimmed_up_to:
                return Opening(subscription, [frame(format_id(last), "resync", b"{}")], last)
            return await self._replay(subscription, asked)
        except BaseException:
            self.close(subscription)
            raise

    def close(self, subscription: Subscription) -> None:
        subscriptions = self._subscriptions.get(subscription.driver_id)
        if subscriptions is not None:
            subscriptions.discard(subscription)
            if not subscriptions:
                del self._subscriptions[subscription.driver_id]

    @property
    def connections(self) -> int:
        return sum(len(subscriptions) for subscriptions in self._subscriptions.values())

    async def _stream_state(self) -> tuple[StreamId, StreamId]:
        """(the last id ever added, the highest id that may be gone); (0, 0) for a stream that does not exist.

        Trimming (MAXLEN) removes from the head, so every id before the first entry may be gone; XDEL (not used
        here) is covered by max-deleted-entry-id. A Last-Event-ID just before the first entry gets a `resync`
        even when nothing between was lost: a harmless refetch, never a missed event."""
        try:
            info = await self.client.xinfo_stream(self.stream)
        except redis.ResponseError:
            return (0, 0), (0, 0)
        last = parse_id(info.get("last-generated-id")) or (0, 0)
        first = info.get("first-entry")
        gone = _just_before(parse_id(first[0])) if first else last
        return last, max(gone, parse_id(info.get("max-deleted-entry-id")) or (0, 0))

    async def _replay(self, subscription: Subscription, asked: StreamId) -> Opening:
        first: list[bytes] = []
        after = asked
        for entry_id, fields in await self.client.xrange(self.stream, min=f"({format_id(asked)}", max="+"):
            after = max(after, parse_id(entry_id))
            if _concerns(fields, subscription.driver_id):
                first.append(_frame_of(entry_id, fields))
        return Opening(subscription, first, after)

    # --- the XREAD loop -----------------------------------------------------------------------------

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="events-dispatcher")

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                if self._position is None:
                    last, _ = await self._stream_state()
                    self._position = format_id(last)
                answer = await self.client.xread({self.stream: self._position}, count=1000, block=_BLOCK_MS)
                if self.connections and activity_mark_due():
                    # An open page is a driver using the product: the poll of central keeps its full pace
                    # (common/activity.py). XREAD returns at least every _BLOCK_MS, well inside the marker's life.
                    await asyncio.to_thread(activity_mark)
                if failures:
                    logger.info("live updates: Redis reachable again")
                failures = 0
                for _, entries in answer or ():
                    for entry_id, fields in entries:
                        self._position = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                        self._fan_out(entry_id, fields)
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                if not failures:
                    logger.warning("live updates: cannot read the events stream from Redis (%s); retrying", exc)
                failures += 1
                # Ids after an outage may start over (a restarted Redis): read the position again, and end every
                # connection so that each reconnects and is answered from what the stream holds now.
                self._position = None
                for subscriptions in list(self._subscriptions.values()):
                    for subscription in subscriptions:
                        subscription.put(_CLOSE)
                await asyncio.sleep(_RETRY_SECONDS[min(failures, len(_RETRY_SECONDS)) - 1])
            except Exception:
                logger.exception("live updates: unexpected error in the events loop")
                await asyncio.sleep(1.0)

    def _fan_out(self, entry_id, fields: dict) -> None:
        driver_id = _text(fields.get(b"driver"))
        if driver_id:
            targets = self._subscriptions.get(driver_id, ())
        else:
            targets = [s for subscriptions in self._subscriptions.values() for s in subscriptions]
        if not targets:
            return
        item = (parse_id(entry_id), _frame_of(entry_id, fields))
        for subscription in list(targets):
            subscription.put(item)


def _just_before(stream_id: StreamId) -> StreamId:
    milliseconds, sequence = stream_id
    return (milliseconds, sequence - 1) if sequence else (milliseconds - 1, 2**64 - 1)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def _concerns(fields: dict, driver_id: str) -> bool:
    return _text(fields.get(b"driver")) in ("", driver_id)


def _frame_of(entry_id, fields: dict) -> bytes:
    return frame(_text(entry_id), _text(fields.get(b"type")), fields.get(b"data") or b"null")


async def frames(dispatcher: Dispatcher, opening: Opening, keepalive_seconds: float):
    """The body of one connection: its first frames, then live events, a keep-alive comment when idle."""
    subscription = opening.subscription
    try:
        for first in opening.first:
            yield first
        if not opening.first:
            # The response starts at once (the browser's `open`), even when nothing is sent for a while.
            yield b": connected\n\n"
        while True:
            try:
                item = await asyncio.wait_for(subscription.queue.get(), keepalive_seconds)
            except TimeoutError:
                yield KEEPALIVE
                continue
            if item is _CLOSE:
                return
            entry_id, body = item
            if entry_id <= opening.after:
                continue  # already sent by the replay
            yield body
    finally:
        dispatcher.close(subscription)


_dispatchers: dict[int, Dispatcher] = {}


def dispatcher_for_this_loop(url: str, stream: str) -> Dispatcher:
    """The process's dispatcher (one per event loop: uvicorn runs one; tests may run several servers)."""
    loop = asyncio.get_running_loop()
    dispatcher = _dispatchers.get(id(loop))
    if dispatcher is None or dispatcher.stream != stream:
        dispatcher = _dispatchers[id(loop)] = Dispatcher(url, stream)
    return dispatcher
