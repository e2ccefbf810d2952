"""Data versions: one counter per database table, moved by every write to it, in every process (issue 12).

A cached answer (config/response_cache.py) is stored with the versions of the tables it was computed from and is
served again only while those versions still hold, so a write — whichever process, code path or raw statement made
it — makes every answer that read its table obsolete on the next request. The writes are seen where they all pass:
an `execute_wrapper` on each database connection (installed by `versions_install`, events/apps.py) reads the
statement's verb and target table (`INSERT INTO`, `UPDATE`, `DELETE FROM`, `TRUNCATE`), and

- moves the table's version at once (after the statement), and
- again after the transaction commits, when it ran inside one: a reader in another transaction may have read
  the old rows and stored them under the version moved at statement time; the second move makes that answer
  obsolete too. (Statement time alone serves a reader inside the same transaction — the test suite's.)

The counters live in one Redis hash (`HINCRBY`). With Redis away for everyone the response cache answers nothing
from it either. The one window where a kept answer can be late: a version move that failed for the writer alone (a
blip only its connection saw, logged as a warning) leaves the answers that read the table in force until the
table's next write or their expiry (API_RESPONSE_CACHE_SECONDS).
While a `versions_recording()` block is open, the tables a statement reads and writes are also collected, so
the response cache knows what an answer depends on; what the clock alone changes is declared by the readers
themselves (`answer_holds_until`).
"""

import contextvars
import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import redis
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

# The target of a write: the first keyword of the statement decides (Django never writes through `WITH`).
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\b", re.IGNORECASE)
_QUOTED = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"')
# Every table a statement names after FROM / JOIN / UPDATE / INTO (Django quotes table names).
_NAMED = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)
_RETRY_AFTER_SECONDS = 5.0


class Recording:
    """The tables read and written by the statements run while a `versions_recording()` block is open, and the
    first moment the clock alone changes the answer being computed (`answer_holds_until`)."""

    def __init__(self):
        self.tables: set[str] = set()
        self.wrote = False
        self.holds_until: datetime | None = None


_recording: contextvars.ContextVar[Recording | None] = contextvars.ContextVar("versions_recording", default=None)


class _Store:
    """The Redis hash of versions, shared by every process that uses the same database."""

    def __init__(self):
        self._lock = threading.Lock()
        self._client: redis.Redis | None = None
        self._down_since: float | None = None

    def client(self) -> redis.Redis | None:
        if self._down_since is not None and time.monotonic() - self._down_since < _RETRY_AFTER_SECONDS:
            return None
        with self._lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    settings.API_RESPONSE_CACHE_REDIS_URL, socket_connect_timeout=0.5, socket_timeout=1.0
                )
            return self._client

    def failed(self, what: str, exc: Exception) -> None:
        if self._down_since is None:
            logger.warning(
                "response cache: %s failed (%s: %s); answers are computed without the cache until Redis is back",
                what,
                exc.__class__.__name__,
                exc,
            )
        self._down_since = time.monotonic()

    def recovered(self) -> None:
        if self._down_since is not None:
            logger.info("response cache: Redis is back")
            self._down_since = None

    def reset(self) -> None:
        with self._lock:
            self._client = None
            self._down_since = None


store = _Store()


def namespace() -> str:
    """Keys of this database's versions and answers: two databases (test runs, deployments) never share them."""
    return f"{settings.API_RESPONSE_CACHE_PREFIX}{connections['default'].settings_dict['NAME']}:"


def versions_key() -> str:
    return namespace() + "versions"


def versions_bump(tables) -> None:
    """Move the version of each table (one Redis round trip)."""
    client = store.client()
    if client is None or not tables:
        return
    key = versions_key()
    try:
        pipe = client.pipeline(transaction=False)
        for table in tables:
            pipe.hincrby(key, table, 1)
        pipe.execute()
    except redis.RedisError as exc:
        store.failed("moving the data versions", exc)
    else:
        store.recovered()


def written_tables(sql: str) -> tuple[str, ...]:
    """The tables a statement writes (empty for a read)."""
    head = sql[:300]
    if match := _WRITE.match(head):
        return (match.group(1),)
    if _TRUNCATE.match(head):
        return tuple(_QUOTED.findall(sql))
    return ()


def _wrapper(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    text = sql if isinstance(sql, str) else str(sql)
    written = written_tables(text)
    recording = _recording.get()
    if recording is not None:
        recording.tables.update(_NAMED.findall(text))
        if written:
            recording.wrote = True
    if written:
        versions_bump(written)
        connection = context["connection"]
        if connection.in_atomic_block:
            _bump_after_commit(connection, written)
    return result


class _AfterCommit:
    """The tables one transaction wrote, moved again once it commits (one callback per transaction)."""

    def __init__(self):
        self.tables: set[str] = set()
        self.hooks: list | None = None

    def __call__(self) -> None:
        versions_bump(sorted(self.tables))


def _bump_after_commit(connection, tables) -> None:
    pending = getattr(connection, "_versions_after_commit", None)
    # Django replaces its list of commit hooks when it runs them (commit) or drops some (a rollback, a savepoint's
    # rollback): while the list is the one ours went into, ours is still in it. Otherwise register a new one (at
    # worst a second move of the same versions).
    if pending is None or pending.hooks is not connection.run_on_commit:
        pending = _AfterCommit()
        connection._versions_after_commit = pending
        connection.on_commit(pending)
        pending.hooks = connection.run_on_commit
    pending.tables.update(tables)


def _install(sender, connection, **kwargs) -> None:
    # `connection_created` fires on every (re)connect of the same wrapper object: add the wrapper once.
    if _wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_wrapper)


def versions_install() -> None:
    """Watch every database connection of this process (events/apps.py, when the response cache is on)."""
    connection_created.connect(_install, dispatch_uid="data-versions-install")
    for connection in connections.all(initialized_only=True):
        _install(None, connection)


@contextmanager
def versions_recording() -> Iterator[Recording]:
    """Collect the tables the statements in this block (this thread or task) read and write."""
    recording = Recording()
    token = _recording.set(recording)
    try:
        yield recording
    finally:
        _recording.reset(token)


def answer_holds_until(moment: datetime) -> None:
    """Say that what is being computed changes by the clock alone at `moment` (a wait estimate's next minute, an
    alert's start or end, a watch's expiry), though no row changes. Every reader whose answer moves with the
    clock says so (the response cache keeps the answer no longer); outside a recording it does nothing."""
    recording = _recording.get()
    if recording is not None and (recording.holds_until is None or moment < recording.holds_until):
        recording.holds_until = moment
