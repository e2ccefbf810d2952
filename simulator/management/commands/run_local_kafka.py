"""Run the local Kafka-compatible broker (tansu, memory storage) on KAFKA_LOCAL_PORT, in the foreground.

The process becomes tansu itself (exec), so a process runner's SIGTERM reaches the broker directly and nothing
is left behind.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from central.gateway.tansu import port_open, tansu_binary


class Command(BaseCommand):
    help = "Run the local tansu broker (memory storage) on KAFKA_LOCAL_PORT in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.KAFKA_LOCAL_PORT)

    def handle(self, *args, **options):
        port = options["port"]
        if port_open(port):
            raise CommandError(
                f"Port {port} is taken: another broker is running? Stop it, or set KAFKA_LOCAL_PORT "
                "(and KAFKA_BOOTSTRAP_SERVERS to match)."
            )
        binary = str(tansu_binary())
        url = f"tcp://127.0.0.1:{port}"
        self.stdout.write(f"Local Kafka-compatible broker (tansu, memory storage) on 127.0.0.1:{port}")
        self.stdout.flush()
        env = {**os.environ, "RUST_LOG": settings.TANSU_LOG}
        os.execve(binary, [binary, "broker", "--listener-url", url, "--advertised-listener-url", url], env)
