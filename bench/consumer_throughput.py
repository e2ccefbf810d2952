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

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_consumer_throughput")


def recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=100, help="charging sessions (M)")
    parser.add_argument("--ticks", type=int, default=10_000, help="in_progress ticks in all (N), spread over M")
    parser.add_argument("--profile", action="store_true", help="print where the consumer spends its time")
    args = parser.parse_args()

    from central.gateway.tansu import TansuBroker

    broker = TansuBroker().start()
    suffix = secrets.token_hex(3)
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true"),
        "DATABASE_URL": DB_URL,
        "DB_CONN_MAX_AGE": "60",
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "KAFKA_TOPIC_REQUESTS": f"driver.requests.{suffix}",
        "KAFKA_TOPIC_UPDATES": f"driver.updates.{suffix}",
        "KAFKA_TOPIC_TICKETS": f"driver.ticket.{suffix}",
        "KAFKA_CONSUMER_GROUP": f"bench-throughput-{suffix}",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    try:
        recreate_database(DB_URL)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("create_kafka_topics", verbosity=0)
        run(args, env)
    finally:
        broker.stop()


def run(args, env: dict) -> None:
    from confluent_kafka import Consumer, Producer
    from django.contrib.auth import get_user_model
    from django.utils.timezone import now

    from central.gateway.messages import DriverUpdate, SessionTicket
    from central.sync.consumer import CentralEventsConsumer
    from chargingpoints.models import ChargingPoint
    from drivers.models import Driver
    from sessions_app.models import ChargingSession
    from sessions_app.services.lifecycle import session_request

    sessions = []
    for i in range(args.sessions):
        user = get_user_model().objects.create_user(username=f"bench{i}", password="bench-pass-123")
        driver = Driver.objects.create(driver_id=f"driver-bench{i}", user=user)
        cp = ChargingPoint.objects.create(
            cp_id=f"CP-T{i:04d}",
            name=f"Bench {i}",
            city="Springfield",
            latitude=42.1,
            longitude=-72.6,
            connector_type="CCS",
            power_kw=50,
            price_eur_per_kwh="0.42",
        )
        sessions.append(session_request(driver=driver, cp_id=cp.cp_id, vehicle_id="vehicle-1"))

    updates, tickets = env["KAFKA_TOPIC_UPDATES"], env["KAFKA_TOPIC_TICKETS"]

    def update(session, status, session_id, reason=""):
        return DriverUpdate(
            request_id=session.request_id,
            driver_id=session.driver.driver_id,
            cp_id=session.charging_point.cp_id,
            status=status,
            reason=reason,
            session_id=session_id,
            ts=now(),
        )

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
        ts = now()
        ticket = SessionTicket(
            cp_id=session.charging_point.cp_id,
            session_id=session_id,
            driver_id=session.driver.driver_id,
            start_time=ts,
            end_time=ts,
            energy_kwh=1.25,
            total_cost_eur=0.53,
            ts=ts,
        )
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
