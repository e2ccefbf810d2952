"""The embedded Celery broker (config/celery_broker.py): kombu's SQLAlchemy transport on a SQLite file, used by
`make run` when REDIS_URL is not set. Several processes put and take messages at once: nothing may be lost,
delivered twice, or raise (the filesystem transport it replaces crashed the worker with JSONDecodeError)."""

import json
import multiprocessing
import os
import queue
import sqlite3
import subprocess
import sys
import time
import traceback

import pytest
from django.conf import settings
from kombu import Connection

from config.celery_broker import Channel, Transport

# kombu's models declare a relationship with the `noload` strategy, deprecated in SQLAlchemy 2.1; kombu never loads it.
pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")

PRODUCERS = 3
CONSUMERS = 2
MESSAGES_PER_PRODUCER = 1000
QUEUE = "broker-test"


def _connection(url: str) -> Connection:
    return Connection(url, transport=Transport, transport_options={"polling_interval": 0.01})


def _produce(url: str, producer: int, errors_file: str) -> None:
    try:
        with _connection(url) as conn, conn.SimpleQueue(QUEUE) as q:
            for seq in range(MESSAGES_PER_PRODUCER):
                q.put({"producer": producer, "seq": seq})
    except BaseException:
        with open(errors_file, "a") as out:
            out.write(traceback.format_exc())
        raise


def _consume(url: str, out_file: str, errors_file: str, producers_done) -> None:
    received = []
    try:
        with _connection(url) as conn, conn.SimpleQueue(QUEUE) as q:
            while True:
                try:
                    message = q.get(block=True, timeout=1.0)
                except queue.Empty:
                    if producers_done.is_set():
                        break
                    continue
                received.append(f"{message.payload['producer']}-{message.payload['seq']}")
                message.ack()
    except BaseException:
        with open(errors_file, "a") as out:
            out.write(traceback.format_exc())
        raise
    finally:
        with open(out_file, "w") as out:
            json.dump(received, out)


def test_several_producers_and_consumers_lose_nothing_duplicate_nothing_raise_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    errors = tmp_path / "errors.txt"
    ctx = multiprocessing.get_context("fork")
    producers_done = ctx.Event()
    consumers = [
        ctx.Process(target=_consume, args=(url, str(tmp_path / f"consumer-{i}.json"), str(errors), producers_done))
        for i in range(CONSUMERS)
    ]
    producers = [ctx.Process(target=_produce, args=(url, i, str(errors))) for i in range(PRODUCERS)]
    for process in consumers + producers:
        process.start()
    for process in producers:
        process.join(120)
    producers_done.set()
    for process in consumers:
        process.join(120)

    assert not errors.exists(), errors.read_text()
    assert [p.exitcode for p in producers + consumers] == [0] * (PRODUCERS + CONSUMERS)
    received = [key for i in range(CONSUMERS) for key in json.loads((tmp_path / f"consumer-{i}.json").read_text())]
    expected = {f"{p}-{s}" for p in range(PRODUCERS) for s in range(MESSAGES_PER_PRODUCER)}
    assert len(received) == len(set(received)), "a message was delivered twice"
    assert set(received) == expected, f"{len(expected - set(received))} messages lost"
    # Both consumers took part, and each producer's messages came out in the order they went in.
    assert all(json.loads((tmp_path / f"consumer-{i}.json").read_text()) for i in range(CONSUMERS))
    for i in range(CONSUMERS):
        per_producer = {}
        for key in json.loads((tmp_path / f"consumer-{i}.json").read_text()):
            producer, seq = map(int, key.split("-"))
            assert seq > per_producer.get(producer, -1)
            per_producer[producer] = seq


def test_taken_messages_leave_no_rows_behind(tmp_path):
    database = tmp_path / "broker.sqlite3"
    with _connection(f"sqlite:///{database}") as conn, conn.SimpleQueue(QUEUE) as q:
        for seq in range(20):
            q.put({"seq": seq})
        for seq in range(20):
            message = q.get(timeout=5)
            assert message.payload == {"seq": seq}
            message.ack()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM kombu_message").fetchone() == (0,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_celery_uses_the_embedded_broker_when_redis_is_not_configured(tmp_path):
    """The settings `make run` uses: a SQLite file under DJANGO_VAR_DIR/celery, polled every 0.1 s."""
    script = (
        "from config.celery import app\n"
        "with app.connection_for_write() as conn, conn.SimpleQueue('wiring') as q:\n"
        "    q.put({'ok': 1})\n"
        "    message = q.get(timeout=5)\n"
        "    message.ack()\n"
        "    print(type(conn.transport).__module__, conn.transport.polling_interval, message.payload)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "true", "DJANGO_VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.celery_broker", "0.1", "{'ok':", "1}"]
    assert (tmp_path / "celery" / "broker.sqlite3").exists()


def test_an_idle_poll_takes_no_write_lock_and_misses_no_message(tmp_path):
    """Once a connection found the queue empty, it asks again without the write lock until another connection
    commits (PRAGMA data_version): a writer holding the lock does not stall it, and what is then put, by another
    connection or by the same one, is taken on the next poll."""
    database = tmp_path / "broker.sqlite3"
    url = f"sqlite:///{database}"
    with _connection(url) as consumer, _connection(url) as producer:
        channel = consumer.default_channel
        channel._get_or_create(QUEUE)
        with pytest.raises(queue.Empty):
            channel._get(QUEUE)  # the full check, which learns the version
        writer = sqlite3.connect(database, timeout=0, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # the write lock, held: a full check would wait LOCK_WAIT_SECONDS
        with pytest.raises(queue.Empty):
            channel._get(QUEUE)
        writer.execute("ROLLBACK")
        writer.close()

        producer.default_channel._put(QUEUE, {"body": "from another connection"})
        assert channel._get(QUEUE)["body"] == "from another connection"
        with pytest.raises(queue.Empty):
            channel._get(QUEUE)
        channel._put(QUEUE, {"body": "from the same connection"})
        assert channel._get(QUEUE)["body"] == "from the same connection"


def test_an_idle_worker_asks_less_often_and_still_takes_the_next_message(tmp_path, monkeypatch):
    # Issue 12: after `quiet_after` seconds without a message the worker asks every `quiet_polling_interval`.
    url = f"sqlite:///{tmp_path / 'quiet.sqlite3'}"
    options = {"polling_interval": 0.01, "quiet_polling_interval": 0.2, "quiet_after": 0.3}
    asks = []
    real_get = Channel._get

    def counted(self, queue_name, *args, **kwargs):
        asks.append(time.monotonic())
        return real_get(self, queue_name, *args, **kwargs)

    monkeypatch.setattr(Channel, "_get", counted)
    with Connection(url, transport=Transport, transport_options=options) as conn, conn.SimpleQueue(QUEUE) as q:
        with pytest.raises(queue.Empty):
            q.get(block=True, timeout=1.5)
        start = asks[0]
        late = [at - start for at in asks if at - start > 0.6]
        assert len(asks) < 60  # 0.01 s throughout would be ~150
        assert late and all(b - a >= 0.15 for a, b in zip(late, late[1:], strict=False))

        with _connection(url) as other, other.SimpleQueue(QUEUE) as sender:
            sender.put({"after": "quiet"})
        sent = time.monotonic()
        message = q.get(block=True, timeout=2.0)
        assert message.payload == {"after": "quiet"}
        assert time.monotonic() - sent < 0.2 + 0.15
        message.ack()
