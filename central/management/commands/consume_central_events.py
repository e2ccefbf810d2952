"""The dedicated consumer process: apply central's updates and tickets as they arrive.

SIGTERM/SIGINT finish the current batch (applied and committed), then the consumer leaves its
group cleanly.
"""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from central.sync.consumer import CentralEventsConsumer

logger = logging.getLogger(__name__)

ERROR_PAUSE_SECONDS = 1.0


class Command(BaseCommand):
    help = "Consume driver.updates and driver.ticket from Kafka and apply them to sessions."

    def add_arguments(self, parser):
        parser.add_argument("--group", help="Consumer group id (default: KAFKA_CONSUMER_GROUP).")
        parser.add_argument("--max-seconds", type=float, help="Exit after this long (benchmarks, tests).")
        parser.add_argument("--poll-timeout", type=float, default=0.5)

    def handle(self, *args, group=None, max_seconds=None, poll_timeout=0.5, **options):
        self._stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        consumer = CentralEventsConsumer(group_id=group).start()
        deadline = time.monotonic() + max_seconds if max_seconds else None
        try:
            while not self._stopping and (deadline is None or time.monotonic() < deadline):
                close_old_connections()
                try:
                    consumer.poll_once(timeout=poll_timeout)
                except Exception:
                    # The batch was rewound and is fetched again; wait a little (database restarting).
                    logger.exception("could not apply a batch; retrying in %.0f s", ERROR_PAUSE_SECONDS)
                    close_old_connections()
                    time.sleep(ERROR_PAUSE_SECONDS)
        finally:
            consumer.close()
            close_old_connections()
        self.stdout.write(f"applied {consumer.applied} message(s), {consumer.dead_letters} dead letter(s)")

    def _stop(self, signum, frame):
        logger.info("signal %s: finishing the current batch and leaving", signum)
        self._stopping = True
