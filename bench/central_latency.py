"""Benchmark of the path central -> dashboard (a script that prints figures, not a test).

1. Latency: for each of N sessions, the time from central producing `accepted` on driver.updates to
   `GET /drivers/{id}/sessions/current` (the real API view, in process) answering APPROVED, with
   the dedicated consumer (`manage.py consume_central_events`) running as its own process.
2. Throughput: how many updates per second that consumer applies from a realistic stream
   (per session: `in_progress` every tick, then the ticket and `completed`), measured from the
   first message produced to the consumer group's committed offset reaching the end.

It starts its own tansu broker and uses its own PostgreSQL database (dropped and re-created):

    .venv/bin/python bench/central_latency.py [--sessions 100] [--ticks 40]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_driver_dashboard).
"""

import os
import statistics
import subprocess
import sys
import time

from _support import (
    BASE_DIR,
    arguments,
    bench_database_url,
    driver_update,
    kafka_stack,
    percentile,
    requested_session,
    session_ticket,
)

DB_URL = bench_database_url("bench_driver_dashboard")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--sessions", type=int, default=100, help="sessions measured (latency part)")
    parser.add_argument("--ticks", type=int, default=40, help="in_progress updates per session (throughput part)")
    args = parser.parse_args()

    with kafka_stack(DB_URL, "bench-dashboard") as env:
        consumer_process = None
        try:
            consumer_process = subprocess.Popen(
                [sys.executable, "manage.py", "consume_central_events", "--poll-timeout", "0.5"],
                cwd=BASE_DIR,
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=open(BASE_DIR / "var" / "bench-consumer.log", "wb"),  # noqa: SIM115
            )
            run(args, env)
        finally:
            if consumer_process is not None:
                consumer_process.terminate()
                consumer_process.wait(timeout=20)


def run(args, env: dict) -> None:
    from confluent_kafka import Consumer, Producer, TopicPartition
    from django.test import Client
    from django.utils.timezone import now
    from rest_framework.authtoken.models import Token

    from sessions_app.models import ChargingSession

    producer = Producer({"bootstrap.servers": env["KAFKA_BOOTSTRAP_SERVERS"], "linger.ms": 0})
    updates, tickets = env["KAFKA_TOPIC_UPDATES"], env["KAFKA_TOPIC_TICKETS"]

    def send(topic, message):
        producer.produce(topic, key=message.key.encode(), value=message.to_bytes())
        producer.flush(5)

    n = args.sessions + 1  # the first one warms the consumer up and is not measured
    sessions, clients = [], []
    for i in range(n):
        session = requested_session(i, f"CP-B{i:03d}")
        sessions.append(session)
        client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=session.driver.user).key}")
        clients.append(client)

    # Warm-up: wait until the consumer has joined its group and applies messages.
    warm = sessions[0]
    send(updates, driver_update(warm, "in_progress", None, now()))
    deadline = time.monotonic() + 30
    while ChargingSession.objects.get(pk=warm.pk).status != "CHARGING":
        if time.monotonic() > deadline:
            raise SystemExit("the consumer did not apply the warm-up message within 30 s")
        time.sleep(0.05)

    latencies = []
    for session, client in zip(sessions[1:], clients[1:], strict=True):
        url = f"/drivers/{session.driver.driver_id}/sessions/current"
        started = time.perf_counter()
        accepted = driver_update(session, "accepted", f"session-{session.request_id[4:]}", now())
        send(updates, accepted)
        while True:
            body = client.get(url).json()
            if body and body["status"] == "APPROVED":
                break
            if time.perf_counter() - started > 10:
                raise SystemExit(f"{session.request_id} not APPROVED after 10 s")
            time.sleep(0.001)
        latencies.append(time.perf_counter() - started)

    # Throughput: in_progress ticks for every session, then ticket + completed.
    messages = []
    for session in sessions:
        for _ in range(args.ticks):
            messages.append((updates, driver_update(session, "in_progress", None, now())))
    for session in sessions:
        session_id = f"session-{session.request_id[4:]}"
        messages.append((tickets, session_ticket(session, session_id, now())))
        messages.append((updates, driver_update(session, "completed", session_id, now())))
    ends = {updates: 0, tickets: 0}
    watcher = Consumer({"bootstrap.servers": env["KAFKA_BOOTSTRAP_SERVERS"], "group.id": env["KAFKA_CONSUMER_GROUP"]})
    for topic in ends:
        ends[topic] = watcher.get_watermark_offsets(TopicPartition(topic, 0), timeout=5)[1]
    encoded = [(topic, message.key.encode(), message.to_bytes()) for topic, message in messages]
    started = time.perf_counter()
    for topic, key, value in encoded:
        producer.produce(topic, key=key, value=value)
        producer.poll(0)
        ends[topic] += 1
    producer.flush(10)
    produced = time.perf_counter() - started
    while True:
        committed = watcher.committed([TopicPartition(t, 0) for t in ends], timeout=5)
        if all(tp.offset >= ends[tp.topic] for tp in committed):
            break
        if time.perf_counter() - started > 120:
            raise SystemExit("the consumer did not catch up within 120 s")
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    watcher.close()
    completed = ChargingSession.objects.filter(pk__in=[s.pk for s in sessions], status="COMPLETED").count()

    print(f"accepted -> API shows APPROVED, {len(latencies)} sessions, dedicated consumer:")
    print(
        f"  p50 {statistics.median(latencies) * 1000:.1f} ms   p95 {percentile(latencies, 95) * 1000:.1f} ms   "
        f"max {max(latencies) * 1000:.1f} ms"
    )
    print(f"consumer throughput: {len(messages)} messages ({args.ticks} in_progress/session + ticket + completed)")
    print(
        f"  applied in {elapsed:.2f} s -> {len(messages) / elapsed:.0f} updates/s "
        f"(producing took {produced:.2f} s; {completed}/{len(sessions)} sessions COMPLETED)"
    )


if __name__ == "__main__":
    main()
