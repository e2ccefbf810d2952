"""`make run`: start the whole system with honcho (Procfile), choosing the processes from the settings.

Always: web (gunicorn), events (uvicorn: the page's live event stream), worker and beat (Celery), consumer (the
dashboard's Kafka consumer). With
KAFKA_BOOTSTRAP_SERVERS unset also `kafka` (a local tansu broker); with SIMULATE_CENTRAL (default: no real
central or Kafka configured) also `simulator`. The runner (simulator/supervisor.py, honcho's manager) labels every
line with its process and, on Ctrl-C or SIGTERM, stops every process group it started; when one process dies on
its own it stops the others and says which one ended the run and why.
"""

import contextlib
import ctypes
import importlib.util
import os
import signal
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """If `make` itself is killed, the runner gets SIGTERM and stops its processes (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stack_processes() -> list[str]:
    names = ["web", "events", "worker", "beat", "consumer"]
    if settings.KAFKA_EMBEDDED:
        names.insert(0, "kafka")
    if settings.SIMULATE_CENTRAL:
        names.append("simulator")
    return names


class Command(BaseCommand):
    help = (
        "Start web, events, Celery worker and beat, the Kafka consumer, and (by default) a local broker and the "
        "simulator."
    )

    def add_arguments(self, parser):
        parser.add_argument("--procfile", default=str(settings.BASE_DIR / "Procfile"))
        parser.add_argument("--dry-run", action="store_true", help="print the processes and exit")

    def handle(self, *args, **options):
        names = stack_processes()
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        celery = "redis" if settings.REDIS_URL else f"SQLite ({settings.CELERY_BROKER_SQLITE_FILE})"
        kafka = "local tansu" if settings.KAFKA_EMBEDDED else "external"
        central = "simulator" if settings.SIMULATE_CENTRAL else "external"
        self.stdout.write(
            f"Starting {' '.join(names)} | database {database}, Celery broker {celery}, "
            f"Kafka {kafka} at {settings.KAFKA_BOOTSTRAP_SERVERS}, central {central} at {settings.CENTRAL_HTTP_URL}"
        )
        if options["dry_run"]:
            return
        if importlib.util.find_spec("honcho") is None:
            raise CommandError("honcho is not installed: pip install -r requirements.txt")
        bin_dir = str(Path(sys.executable).parent)
        env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1"}
        self.stdout.flush()
        _die_with_parent()
        os.chdir(settings.BASE_DIR)
        # The runner replaces this process (no Django loaded in it); see simulator/supervisor.py for what it
        # does when a process dies.
        os.execve(
            sys.executable,
            [
                sys.executable,
                "-m",
                "simulator.supervisor",
                "--procfile",
                options["procfile"],
                "--app-root",
                str(settings.BASE_DIR),
                *names,
            ],
            env,
        )
