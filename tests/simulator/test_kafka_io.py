"""The simulator's Kafka start-up: it waits for the broker to listen instead of logging refused connections."""

import logging
import socket
import threading
import time

from simulator.kafka_io import wait_for_listener


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_waits_until_the_broker_listens_then_returns(caplog):
    port = _free_port()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def listen_later():
        time.sleep(0.6)
        server.bind(("127.0.0.1", port))
        server.listen()

    threading.Thread(target=listen_later, daemon=True).start()
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="simulator.kafka_io"):
        wait_for_listener(f"127.0.0.1:{port}", stop=None)
    waited = time.monotonic() - started
    server.close()
    assert 0.5 <= waited < 5
    assert [r.getMessage() for r in caplog.records] == [f"waiting for Kafka at 127.0.0.1:{port} to listen"]


def test_a_stop_ends_the_wait():
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    wait_for_listener(f"127.0.0.1:{_free_port()}", stop=stop)
    assert time.monotonic() - started < 5
