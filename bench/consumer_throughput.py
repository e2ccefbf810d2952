"""Throughput of the consumer of central's events (a script that prints figures, not a test).

M sessions go through the real mix of central's messages: `accepted`, then N `in_progress` ticks in
rounds (one per session per round, as central forwards one telemetry a second per session), then the
ticket and `completed`. Everything is produced first; then, in one run:

1. baseline: a raw confluent-kafka consumer reads the same messages without applying them;
2. the real `CentralEventsConsumer` (the code `manage.py consume_central_events` runs) applies them,
   timed from its first batch to the last message applied and committed.

It starts its own tansu broker and uses its own PostgreSQL database (dropped and re-created):

    .venv/bin/python bench/consumer_throughput.py [--sessions 100] [--ticks 10000] [--profile]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_consumer_throughput).
"""

import cProfile
import pstats
import secrets
import time

from _support import (
    arguments,
    bench_database_url,
    driver_update,
    kafka_stack,
    requested_session,
    session_ticket,
)

DB_URL = bench_database_url("bench_consumer_throughput")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--sessions", type=int, default=100, help="charging sessions (M)")
    parser.add_argument("--ticks", type=int, default=10_000, help="in_progress ticks in all (N), spread over M")
    parser.add_argument("--profile", action="store_true", help="print where the consumer spends its time")
    args = parser.parse_args()

    with kafka_stack(DB_URL, "bench-throughput") as env:
        run(args, env)


def run(args, env: dict) -> None:
    from confluent_kafka import Consumer, Producer
    from django.utils.timezone import now

    from central.sync.consumer import CentralEventsConsumer
    from sessions_app.models import ChargingSession

    sessions = [requested_session(i, f"CP-T{i:04d}") for i in range(args.sessions)]
    updates, tickets = env["KAFKA_TOPIC_UPDATES"], env["KAFKA_TOPIC_TICKETS"]

    def update(session, status, session_id, reason=""):
        return driver_update(session, status, session_id, now(), reason)

    messages = []
    for session in sessions:
        messages.append((updates, update(session, "accepted", f"session-{session.request_id[4:]}")))
    rounds = max(1, args.ticks // len(sessions))
    for r in range(rounds):
        for session in sessions:
            # Central forwards each telemetry as in_progress, without the session id (simulator/central.py).
            messages.append((updates, update(session, "in_progress", None, f"Charging: {11 + r % 3} kW")))
    for session in sessions:
        session_id = f"session-{session.request_id[4:]}"
        ticket = session_ticket(session, session_id, now())
        messages.append((tickets, ticket))
        messages.append((updates, update(session, "completed", session_id)))
    ticks = rounds * len(sessions)

    producer = Producer({"bootstrap.servers": env["KAFKA_BOOTSTRAP_SERVERS"], "linger.ms": 5})
    for topic, message in messages:
        producer.produce(topic, key=message.key.encode(), value=message.to_bytes())
        producer.poll(0)
    producer.flush(30)
    total = len(messages)

    # 1. Baseline: the same messages read by a raw consumer, not applied.
    raw = Consumer(
        {
            "bootstrap.servers": env["KAFKA_BOOTSTRAP_SERVERS"],
            "group.id": f"bench-raw-{secrets.token_hex(3)}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": "2000",
            "heartbeat.interval.ms": "500",
        }
    )
    raw.subscribe([updates, tickets])
    seen, started = 0, None
    deadline = time.monotonic() + 60
    while seen < total and time.monotonic() < deadline:
        batch = raw.consume(num_messages=500, timeout=0.5)
        if batch and started is None:
            started = time.perf_counter()
        seen += sum(1 for m in batch if m.error() is None)
    raw_elapsed = time.perf_counter() - started
    raw.close()

    # 2. The real consumer, in this process.
    consumer = CentralEventsConsumer().start()
    applied, first, started = 0, 0, None
    profiler = cProfile.Profile() if args.profile else None
    deadline = time.monotonic() + 300
    while first + applied < total and time.monotonic() < deadline:
        if started is not None and profiler:
            profiler.enable()
        count = consumer.poll_once(timeout=0.5)
        if profiler:
            profiler.disable()
        if count and started is None:
            started = time.perf_counter()  # the first batch waited for the group join: not counted
            first = count
            continue
        applied += count
    elapsed = time.perf_counter() - started
    applied_total = applied + first
    consumer.close()

    states = ChargingSession.objects.filter(pk__in=[s.pk for s in sessions])
    completed = states.filter(status="COMPLETED", ticket_received_at__isnull=False).count()
    print(f"{total} messages: {len(sessions)} sessions x (accepted + {rounds} in_progress + ticket + completed)")
    print(f"  baseline, raw confluent-kafka consumer (no apply): {seen / raw_elapsed:,.0f} msgs/s")
    print(
        f"  CentralEventsConsumer, applied and committed:     {applied / elapsed:,.0f} msgs/s "
        f"({applied} after the first batch in {elapsed:.2f} s; {ticks} ticks; "
        f"{completed}/{len(sessions)} sessions COMPLETED with their ticket)"
    )
    if applied_total != total or completed != len(sessions):
        raise SystemExit("the consumer did not apply every message")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
