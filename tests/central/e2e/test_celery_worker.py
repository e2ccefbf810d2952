"""Once, for real: a Celery worker with beat (Redis db 4) runs the poll, the drain and the outbox."""

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings

from chargingpoints.models import ChargingPoint
from sessions_app.models import ChargingSession
from sessions_app.services.lifecycle import session_request
from tests.fakes.central_http import central_cp
from tests.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/4"
BASE_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
def worker(kafka_settings, fake_central, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    db = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap,
        "KAFKA_TOPIC_REQUESTS": kafka_settings.requests,
        "KAFKA_TOPIC_UPDATES": kafka_settings.updates,
        "KAFKA_TOPIC_TICKETS": kafka_settings.tickets,
        "KAFKA_CONSUMER_GROUP": f"{kafka_settings.group}-worker",
        "CENTRAL_HTTP_URL": fake_central.url,
        "CENTRAL_POLL_INTERVAL": "0.5",
        "KAFKA_DRAIN_MAX_SECONDS": "2",
        "REQUEST_TIMEOUT_SECONDS": "120",
        "LOG_LEVEL": "INFO",
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-B",
            "-s",
            str(tmp_path / "beat-schedule"),
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()
    output = (tmp_path / "worker.log").read_text(errors="replace")
    assert "Traceback" not in output, output[-4000:]


def test_worker_and_beat_poll_central_drain_updates_and_follow_telemetry(
    worker, alice, cp, central_kafka, fake_central
):
    session = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    request = central_kafka.next_request()
    assert request["request_id"] == session.request_id
    session_id = central_kafka.accept(request)
    wait_for(
        lambda: ChargingSession.objects.get(pk=session.pk).status == "APPROVED", 20.0, "APPROVED via the drain task"
    )
    central_kafka.update(request_id=session.request_id, driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    wait_for(lambda: ChargingSession.objects.get(pk=session.pk).status == "CHARGING", 20.0, "CHARGING")

    def supplying(kwh):
        telemetry = {"kw": 22.0, "kwh": kwh, "euros": round(kwh * 0.42, 4), "session_id": session_id}
        return [
            central_cp(
                "CP-001",
                engine_state="SUPPLYING",
                current_driver="driver-alice",
                current_session=session_id,
                telemetry=telemetry,
            )
        ]

    fake_central.charging_points = supplying(0.5)
    wait_for(lambda: ChargingPoint.objects.get(pk=cp.pk).status == "OCCUPIED", 20.0, "the poll")
    wait_for(lambda: ChargingSession.objects.get(pk=session.pk).energy_kwh == Decimal("0.5"), 20.0, "telemetry")
    fake_central.charging_points = supplying(1.0)
    wait_for(lambda: ChargingSession.objects.get(pk=session.pk).energy_kwh == Decimal("1.0"), 20.0, "rising energy")
    assert ChargingSession.objects.get(pk=session.pk).cost_eur == Decimal("0.42")
