"""One process: central's HTTP API, central's Kafka side and the engines, started and stopped together."""

import json
import logging
import threading
from pathlib import Path

from django.conf import settings

from chargingpoints.models import ChargingPoint
from chargingpoints.services import charging_points_read_file
from simulator.central import CentralSim
from simulator.engines import PointSpec
from simulator.http_api import CentralHTTP
from simulator.kafka_io import EngineTopics, KafkaEmitter, RequestConsumer

logger = logging.getLogger(__name__)


def points_from_table() -> list[PointSpec]:
    return [
        PointSpec(
            cp_id=cp.cp_id, power_kw=float(cp.power_kw), price_eur_per_kwh=float(cp.price_eur_per_kwh), city=cp.city
        )
        for cp in ChargingPoint.objects.order_by("cp_id")
    ]


def points_from_file(path: str | Path) -> list[PointSpec]:
    """The same JSON/CSV files `seed_charging_points` reads (cp_id, power_kw, price_eur_per_kwh, city)."""
    specs = []
    for row in charging_points_read_file(Path(path)):
        specs.append(
            PointSpec(
                cp_id=str(row["cp_id"]),
                power_kw=float(row["power_kw"]),
                price_eur_per_kwh=float(row["price_eur_per_kwh"]),
                city=str(row.get("city") or ""),
            )
        )
    return specs


class Simulator:
    def __init__(
        self,
        points: list[PointSpec],
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        bootstrap: str | None = None,
        requests_topic: str | None = None,
        updates_topic: str | None = None,
        tickets_topic: str | None = None,
        group_id: str = "central-controller",
        telemetry_interval: float = 1.0,
        engine_topics: EngineTopics | None = None,
    ):
        self.bootstrap = bootstrap or settings.KAFKA_BOOTSTRAP_SERVERS
        self.requests_topic = requests_topic or settings.KAFKA_TOPIC_REQUESTS
        updates_topic = updates_topic or settings.KAFKA_TOPIC_UPDATES
        tickets_topic = tickets_topic or settings.KAFKA_TOPIC_TICKETS
        self.emitter = KafkaEmitter(
            self.bootstrap, updates_topic, tickets_topic, settings.KAFKA_PRODUCER_OPTIONS, engine_topics
        )
        self.central = CentralSim(points, self.emitter, telemetry_interval=telemetry_interval)
        self.http = CentralHTTP(self.central, host=host, port=settings.SIMULATOR_PORT if port is None else port)
        self.consumer = RequestConsumer(
            self.central,
            self.bootstrap,
            self.requests_topic,
            [self.requests_topic, updates_topic, tickets_topic, *self.emitter.engine_topics.names()],
            settings.KAFKA_CONSUMER_OPTIONS,
            group_id=group_id,
        )
        self._stop = threading.Event()
        self._engines = threading.Thread(target=self._run_engines, name="engines", daemon=True)

    @property
    def url(self) -> str:
        return self.http.url

    def _run_engines(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.central.tick()
            except Exception:
                logger.exception("engine tick failed")

    def start(self) -> "Simulator":
        self.http.start()
        self.consumer.start()
        self._engines.start()
        logger.info(
            "central simulator: %d points, HTTP %s, Kafka %s (%s -> %s, %s)",
            len(self.central.points),
            self.url,
            self.bootstrap,
            self.requests_topic,
            self.emitter.updates_topic,
            self.emitter.tickets_topic,
        )
        return self

    def stop(self) -> None:
        self._stop.set()
        self.http.stop()
        self.consumer.stop()
        if self._engines.is_alive():
            self._engines.join(2)
        self.emitter.flush(5)
        logger.info("central simulator stopped")

    def describe_points(self) -> str:
        return json.dumps([p.view() for p in self.central.points.values()], indent=None)
