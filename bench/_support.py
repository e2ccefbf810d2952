"""What the benchmark scripts share: the project on sys.path, a scratch PostgreSQL database, Django set up on it,
a tansu broker with the run's own topics, percentiles and timing loops, and central's messages for a session.

Imported by the scripts beside it (`from _support import ...`: Python puts a script's own folder on sys.path).
"""

import argparse
import contextlib
import os
import secrets
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A script's argument parser, its --help showing the script's docstring as written."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


# --- the scratch database and Django on it ---------------------------------------------------------------


def bench_database_url(default_name: str) -> str:
    return os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_name}")


def _server(url: str, statement: str) -> None:
    import psycopg

    base, _ = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def drop_database(url: str) -> None:
    _server(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def recreate_database(url: str) -> None:
    drop_database(url)
    _server(url, f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')


def django_environment(db_url: str, **overrides: str) -> dict[str, str]:
    """The settings a bench runs Django with: as `make run` runs (development settings) unless the caller chose."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true"),
        "DATABASE_URL": db_url,
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def django_setup(*, migrate: bool = True) -> None:
    """django.setup() on the environment already in os.environ, then (by default) the migrations."""
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


@contextlib.contextmanager
def kafka_stack(db_url: str, group_prefix: str) -> Iterator[dict[str, str]]:
    """A tansu broker of its own, topics and a consumer group named for this run, the scratch database re-created
    and migrated, the topics created; yields the environment (also in os.environ). Stops the broker at the end."""
    from central.gateway.tansu import TansuBroker

    broker = TansuBroker().start()
    suffix = secrets.token_hex(3)
    env = django_environment(
        db_url,
        KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers,
        KAFKA_TOPIC_REQUESTS=f"driver.requests.{suffix}",
        KAFKA_TOPIC_UPDATES=f"driver.updates.{suffix}",
        KAFKA_TOPIC_TICKETS=f"driver.ticket.{suffix}",
        KAFKA_CONSUMER_GROUP=f"{group_prefix}-{suffix}",
    )
    os.environ.update(env)
    try:
        recreate_database(db_url)
        django_setup()
        from django.core.management import call_command

        call_command("create_kafka_topics", verbosity=0)
        yield env
    finally:
        broker.stop()


# --- figures ---------------------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed(n: int, call: Callable[[int], object], warmup: int = 5) -> list[float]:
    """Milliseconds of each of n calls (call(i) for i = 0…n-1), after `warmup` unmeasured calls."""
    for i in range(warmup):
        call(i)
    times = []
    for i in range(n):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- sessions and central's messages about them ----------------------------------------------------------


def requested_session(i: int, cp_id: str):
    """Driver `driver-bench{i}` (user `bench{i}`) and point `cp_id`, and the driver's request for it (PENDING)."""
    from django.contrib.auth import get_user_model

    from chargingpoints.models import ChargingPoint
    from drivers.models import Driver
    from sessions_app.services.lifecycle import session_request

    user = get_user_model().objects.create_user(username=f"bench{i}", password="bench-pass-123")
    driver = Driver.objects.create(driver_id=f"driver-bench{i}", user=user)
    cp = ChargingPoint.objects.create(
        cp_id=cp_id,
        name=f"Bench {i}",
        city="Springfield",
        latitude=42.1,
        longitude=-72.6,
        connector_type="CCS",
        power_kw=50,
        price_eur_per_kwh="0.42",
    )
    return session_request(driver=driver, cp_id=cp.cp_id, vehicle_id="vehicle-1")


def driver_update(session, status, session_id, ts, reason=""):
    from central.gateway.messages import DriverUpdate

    return DriverUpdate(
        request_id=session.request_id,
        driver_id=session.driver.driver_id,
        cp_id=session.charging_point.cp_id,
        status=status,
        reason=reason,
        session_id=session_id,
        ts=ts,
    )


def session_ticket(session, session_id, ts):
    from central.gateway.messages import SessionTicket

    return SessionTicket(
        cp_id=session.charging_point.cp_id,
        session_id=session_id,
        driver_id=session.driver.driver_id,
        start_time=ts,
        end_time=ts,
        energy_kwh=1.25,
        total_cost_eur=0.53,
        ts=ts,
    )
