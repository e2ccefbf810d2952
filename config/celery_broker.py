"""Celery's embedded broker for `make run`: kombu's SQLAlchemy transport on a SQLite file.

Used when REDIS_URL is not set (settings: CELERY_BROKER_TRANSPORT). web, worker and beat put and take messages
from separate processes at once. SQLite serialises writers with a file lock and kombu takes a message inside
`BEGIN IMMEDIATE`, so a message is read whole, by one consumer, once; kombu's filesystem transport, used before,
let a reader open a half-written file (worker: "Unrecoverable error: JSONDecodeError").

Three changes to kombu's transport:
- kombu 5.7 hands every transport option to `create_engine`, which refuses `polling_interval`; this Channel builds
  the engine itself (WAL, a long lock wait), so `polling_interval` reaches kombu's poll loop as a normal option.
- kombu creates its tables and queues with a check, then an insert: two processes starting together on a new file
  both insert and one fails. Here both happen under SQLite's write lock or as `INSERT ... ON CONFLICT DO NOTHING`.
- kombu keeps every delivered message as an invisible row, so the file grows without end; here the row is deleted
  in the transaction that takes it. Nothing else reads those rows: a message that is not acknowledged is put back
  as a new row (kombu's virtual transport).
"""

from json import loads
from pathlib import Path
from queue import Empty
from time import monotonic, sleep

from kombu.transport import sqlalchemy as kombu_sqlalchemy
from kombu.utils.encoding import bytes_to_str
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

# Seconds a process waits for another's write lock before the operation fails (SQLite's busy timeout).
LOCK_WAIT_SECONDS = 30
# Key, in a pooled connection's info, of {queue: the connection's data_version when it last found the queue empty}.
EMPTY_AT = "kombu_empty_at_data_version"


def _set_pragmas(dbapi_connection, connection_record) -> None:
    # WAL (kept in the file once set): readers (queue lookups, sizes) do not wait for a writer; writers take turns.
    if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class Channel(kombu_sqlalchemy.Channel):
    def _engine_from_config(self):
        url = make_url(self.connection.client.hostname)
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": LOCK_WAIT_SECONDS})
        event.listen(engine, "connect", _set_pragmas)
        # kombu then runs `create_all`, which checks and creates without a lock: web, worker and beat starting
        # together on a new file fail with "table kombu_queue already exists". Create the tables here, holding
        # the write lock, so kombu finds them.
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE TRANSACTION")
            kombu_sqlalchemy.metadata.create_all(connection)
            connection.commit()
        return engine

    def _get_or_create(self, queue):
        # kombu's version inserts after a check and fails with IntegrityError when another process (web and worker
        # declaring the same queue at start) inserted in between; ON CONFLICT DO NOTHING makes that harmless.
        session = self.session
        found = session.query(self.queue_cls).filter(self.queue_cls.name == queue).first()
        if found is not None:
            return found
        try:
            session.execute(
                sqlite_insert(self.queue_cls.__table__)
                .values(name=queue)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            session.commit()
        except Exception:
            session.rollback()
            raise
        return session.query(self.queue_cls).filter(self.queue_cls.name == queue).one()

    def _get(self, queue):
        """Take the oldest message of `queue` and delete its row, in one write transaction.

        The message is returned only once that transaction has committed: if the commit fails, the row stays
        for a later read (nothing lost, nothing delivered twice).

        An idle worker asks every `polling_interval`; when no other connection has committed anything since this
        connection last found `queue` empty (SQLite's `PRAGMA data_version`, a counter of other connections'
        commits, kept per connection), the queue is still empty: answered without the write lock or a query.
        """
        session = self.session
        pooled = session.connection().connection
        version = pooled.dbapi_connection.execute("PRAGMA data_version").fetchone()[0]
        # Kept in the pool's record of this very SQLite connection: a new connection starts with nothing known.
        empty_at = pooled.info.setdefault(EMPTY_AT, {})
        if empty_at.get(queue) == version:
            session.rollback()  # hands the connection back, as a full check's commit does
            raise Empty()
        queue_obj = self._get_or_create(queue)
        payload = None
        try:
            session.execute(text("BEGIN IMMEDIATE TRANSACTION"))
            message = (
                session.query(self.message_cls)
                .filter(self.message_cls.queue_id == queue_obj.id)
                .filter(self.message_cls.visible.is_not(False))
                .order_by(self.message_cls.sent_at, self.message_cls.id)
                .limit(1)
                .first()
            )
            if message is not None:
                payload = message.payload
                session.delete(message)
            session.commit()
        except Exception:
            session.rollback()
            raise
        if payload is None:
            # The version read before the check: a message committed since then moves it.
            empty_at[queue] = version
            raise Empty()
        return loads(bytes_to_str(payload))

    def _put(self, queue, payload, **kwargs):
        # A connection's own commits do not move its data_version: forget what it knew to be empty.
        self.session.connection().connection.info.pop(EMPTY_AT, None)
        return super()._put(queue, payload, **kwargs)


class Transport(kombu_sqlalchemy.Transport):
    """kombu's SQLAlchemy transport with the Channel above, and a worker that asks less often while nothing comes.

    kombu's virtual transport asks every `polling_interval` (0.1 s here, settings) however long the queue has been
    empty. Here, once no message has arrived for `quiet_after` seconds, it asks every `quiet_polling_interval`
    (transport options; issue 12, the idle stack's CPU): the poll of central at full pace sends a task every 1.5 s,
    so the worker stays at 0.1 s while anyone uses the product, and a task sent after a quiet spell (the first
    request's poll, the idle pace's poll every 8 s) waits at most `quiet_polling_interval` longer.
    """

    Channel = Channel
    # kombu's default; settings pass a shorter one as the `polling_interval` transport option.
    polling_interval = 1.0
    quiet_polling_interval = None
    quiet_after = 2.5

    def __init__(self, client, **kwargs):
        super().__init__(client, **kwargs)
        options = client.transport_options
        self.quiet_polling_interval = options.get("quiet_polling_interval", self.quiet_polling_interval)
        self.quiet_after = options.get("quiet_after", self.quiet_after)
        self._delivered_at = monotonic()

    def drain_events(self, connection, timeout=None):
        # kombu's virtual Transport.drain_events, with the interval chosen on each empty answer.
        time_start = monotonic()
        get = self.cycle.get
        while True:
            try:
                get(self._deliver, timeout=timeout)
            except Empty:
                now = monotonic()
                if timeout is not None and now - time_start >= timeout:
                    raise TimeoutError() from None  # socket.timeout, what kombu raises
                interval = self.polling_interval
                if self.quiet_polling_interval and now - self._delivered_at >= self.quiet_after:
                    interval = self.quiet_polling_interval
                if interval is not None:
                    sleep(min(interval, timeout) if timeout else interval)
            else:
                self._delivered_at = monotonic()
                break
