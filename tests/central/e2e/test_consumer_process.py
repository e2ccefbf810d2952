"""The dedicated consumer process (`manage.py consume_central_events`) and its SIGTERM handling."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from sessions_app.models import ChargingSession
from sessions_app.services.lifecycle import session_request

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[3]


def test_consumer_process_applies_updates_and_exits_cleanly_on_sigterm(alice, cp, kafka_settings, central_kafka):
    db = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap,
        "KAFKA_TOPIC_REQUESTS": kafka_settings.requests,
        "KAFKA_TOPIC_UPDATES": kafka_settings.updates,
        "KAFKA_TOPIC_TICKETS": kafka_settings.tickets,
        "KAFKA_CONSUMER_GROUP": f"{kafka_settings.group}-process",
        "LOG_LEVEL": "DEBUG",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "consume_central_events", "--poll-timeout", "0.2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        session = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
        session_id = central_kafka.accept(central_kafka.next_request())
        deadline = time.monotonic() + 20
        while ChargingSession.objects.get(pk=session.pk).status != "APPROVED":
            assert time.monotonic() < deadline, "the consumer process did not apply the acceptance"
            time.sleep(0.05)
        assert ChargingSession.objects.get(pk=session.pk).session_id == session_id
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    assert "applied 1 message(s), 0 dead letter(s)" in text
    assert f"applied {kafka_settings.updates}[0]@0" in text  # one log line per applied message
    assert "finishing the current batch" in text
