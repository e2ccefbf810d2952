"""Run the central + charging-point simulator (HTTP API and Kafka side) until SIGINT/SIGTERM."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chargingpoints.services import DEFAULT_NETWORK_FILE
from simulator.kafka_io import wait_for_listener
from simulator.runner import Simulator, points_from_file, points_from_table


class Command(BaseCommand):
    help = (
        "Simulate central and the charging-point engines, speaking shared/docs/central-protocol.md: "
        "GET /cp, POST /stop-session, GET /health over HTTP; driver.requests -> driver.updates, driver.ticket on Kafka."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.SIMULATOR_HOST, help="HTTP listen address")
        parser.add_argument("--port", type=int, default=settings.SIMULATOR_PORT, help="HTTP port (default %(default)s)")
        parser.add_argument("--points-file", help="JSON/CSV file of points (default: the charging point table)")
        parser.add_argument("--offline", nargs="*", default=[], metavar="CP_ID", help="points that start DISCONNECTED")
        parser.add_argument("--session-limit", type=float, help="end every session after this many seconds")
        parser.add_argument("--slow", type=float, default=0.0, help="answer every request this many seconds late")
        parser.add_argument("--deny-all", metavar="REASON", help="deny every request with this reason")
        parser.add_argument("--telemetry-interval", type=float, default=1.0, help="seconds between telemetry")

    def handle(self, *args, **options):
        if options["points_file"]:
            points = points_from_file(options["points_file"])
        else:
            points = points_from_table()
            if not points:
                self.stderr.write("The charging point table is empty: using the shipped network file.")
                points = points_from_file(DEFAULT_NETWORK_FILE)
        known = {p.cp_id for p in points}
        unknown = [cp_id for cp_id in options["offline"] if cp_id not in known]
        if unknown:
            raise CommandError(f"--offline names unknown points: {', '.join(unknown)}")

        # Under `make run` the local broker may not listen yet: the producer made below would log each refused
        # connection as an ERROR line.
        wait_for_listener(settings.KAFKA_BOOTSTRAP_SERVERS, stop=None)
        sim = Simulator(
            points, host=options["host"], port=options["port"], telemetry_interval=options["telemetry_interval"]
        )
        for cp_id in options["offline"]:
            sim.central.set_offline(cp_id)
        sim.central.session_limit_seconds = options["session_limit"]
        sim.central.slow_seconds = options["slow"]
        sim.central.deny_all_reason = options["deny_all"]

        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        try:
            sim.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        self.stdout.write(
            f"Central simulator: {len(points)} points, HTTP {sim.url}, Kafka {sim.bootstrap}"
            + (f", offline: {' '.join(options['offline'])}" if options["offline"] else "")
        )
        try:
            stop.wait()
        finally:
            sim.stop()
