"""The commands behind `make run`: which processes run_stack starts, and the simulator and local broker
processes starting and stopping cleanly on SIGTERM."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import requests
from confluent_kafka import Consumer, Producer, TopicPartition
from django.conf import settings

from central.gateway.tansu import free_port, port_open
from chargingpoints.services import DEFAULT_NETWORK_FILE

BASE_ENV = {
    key: value
    for key, value in os.environ.items()
    if key
    not in {
        "KAFKA_BOOTSTRAP_SERVERS",
        "CENTRAL_HTTP_URL",
        "SIMULATE_CENTRAL",
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_SETTINGS_MODULE",
    }
}


def _manage(*args, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**BASE_ENV, "DJANGO_SETTINGS_MODULE": "config.settings", **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def _plan(env: dict) -> list[str]:
    result = _manage("run_stack", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("|")[0].split()[1:]


def test_run_stack_embedded_defaults_start_the_broker_and_the_simulator():
    assert _plan({}) == ["kafka", "web", "events", "worker", "beat", "consumer", "simulator"]


def test_run_stack_with_real_services_starts_no_broker_and_no_simulator():
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": "kafka.example:9092",
        "CENTRAL_HTTP_URL": "https://central.example:8000",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    }
    assert _plan(env) == ["web", "events", "worker", "beat", "consumer"]
    assert _plan({**env, "SIMULATE_CENTRAL": "1"}) == ["web", "events", "worker", "beat", "consumer", "simulator"]


def test_run_stack_with_a_real_central_but_local_kafka():
    assert _plan({"CENTRAL_HTTP_URL": "https://central.example:8000"}) == [
        "kafka",
        "web",
        "events",
        "worker",
        "beat",
        "consumer",
    ]


def test_procfile_names_every_process():
    names = [
        line.split(":", 1)[0]
        for line in (settings.BASE_DIR / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert names == ["kafka", "web", "events", "worker", "beat", "consumer", "simulator"]


@pytest.mark.kafka
def test_simulate_central_command_serves_and_stops_on_sigterm(kafka_broker):
    port = free_port()
    suffix = uuid.uuid4().hex[:8]
    topics = {
        "KAFKA_TOPIC_REQUESTS": f"driver.requests.{suffix}",
        "KAFKA_TOPIC_UPDATES": f"driver.updates.{suffix}",
        "KAFKA_TOPIC_TICKETS": f"driver.ticket.{suffix}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "simulate_central",
            "--port",
            str(port),
            "--points-file",
            str(DEFAULT_NETWORK_FILE),
            "--offline",
            "CP-003",
        ],
        cwd=settings.BASE_DIR,
        env={
            **BASE_ENV,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap_servers,
            **topics,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while not port_open(port):
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        body = requests.get(f"http://127.0.0.1:{port}/cp", timeout=5).json()
        states = {p["cp_id"]: p["state"] for p in body["charging_points"]}
        assert len(states) == 12
        assert states["CP-003"] == "DISCONNECTED" and states["CP-001"] == "ON"
        network = {p["cp_id"]: p for p in json.loads(DEFAULT_NETWORK_FILE.read_text())}
        assert all(p["power_kw"] == network[p["cp_id"]]["power_kw"] for p in body["charging_points"])

        # The command answers a request on Kafka, as central would.
        producer = Producer({"bootstrap.servers": kafka_broker.bootstrap_servers})
        request = {
            "request_id": "req-0000abcd",
            "driver_id": "driver-eve",
            "cp_id": "CP-001",
            "ts": "2026-11-23T12:00:00Z",
        }
        producer.produce(topics["KAFKA_TOPIC_REQUESTS"], key=b"driver-eve", value=json.dumps(request).encode())
        producer.flush(5)
        consumer = Consumer({"bootstrap.servers": kafka_broker.bootstrap_servers, "group.id": f"t-{suffix}"})
        deadline = time.monotonic() + 20
        while True:
            try:
                consumer.assign([TopicPartition(topics["KAFKA_TOPIC_UPDATES"], 0, 0)])
                break
            except Exception:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        update = None
        while update is None and time.monotonic() < deadline:
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                update = json.loads(msg.value())
        consumer.close()
        assert update is not None and update["status"] == "accepted" and update["request_id"] == "req-0000abcd"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=15)[0].decode()
    assert process.returncode == 0, output
    assert "central simulator stopped" in output
    assert not port_open(port)


def test_run_local_kafka_runs_tansu_and_stops_on_sigterm():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_local_kafka", "--port", str(port)],
        cwd=settings.BASE_DIR,
        env={**BASE_ENV, "DJANGO_SETTINGS_MODULE": "config.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not port_open(port):
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # The command became the broker itself: no child left behind when it is signalled.
        with open(f"/proc/{process.pid}/comm") as comm:
            assert comm.read().strip() == "tansu"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)
    assert not port_open(port)


def test_run_local_kafka_refuses_a_taken_port(kafka_broker):
    result = _manage("run_local_kafka", "--port", str(kafka_broker.port))
    assert result.returncode != 0
    assert "is taken" in result.stderr
