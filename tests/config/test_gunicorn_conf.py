"""A real gunicorn with config/gunicorn_conf.py: the errors gunicorn answers itself, and Django's, are JSON."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from central.gateway.tansu import free_port, port_open
from tests.waiting import wait_for

GUNICORN = str(Path(sys.executable).parent / "gunicorn")


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """gunicorn as the Procfile starts it (production settings, 1 worker, 2 threads) on a free port."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "gunicorn-test-secret-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
    }
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 (closed at teardown)
    process = subprocess.Popen(
        [GUNICORN, "-c", "config/gunicorn_conf.py", "config.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: port_open(port) or process.poll() is not None, timeout=30, what="gunicorn to listen")
        assert process.poll() is None, (tmp / "gunicorn.log").read_text()
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `raw` as is; the status, headers (lower-case names) and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    if headers.get("transfer-encoding") == "chunked":
        body = _dechunk(body)
    return int(status_line.split()[1]), headers, body


def _dechunk(data: bytes) -> bytes:
    body = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return body
        body, data = body + data[:size], data[size + 2 :]


def _get(port: int, target: str, *extra_headers: str, host: str = "127.0.0.1") -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", "Accept: */*", "Connection: close", *extra_headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@pytest.mark.parametrize(
    ("raw", "status", "detail_start"),
    [
        (_get(0, "/" + "a" * 5000), 414, "URI Too Long: Request Line is too large"),
        (_get(0, "/health", "X-Big: " + "b" * 9000), 431, "Request Header Fields Too Large"),
        (_get(0, "/health", *(f"X-H{i}: v" for i in range(120))), 431, "Request Header Fields Too Large"),
        (b"NOT A REQUEST LINE AT ALL\r\n\r\n", 400, "Bad Request"),
        (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n", 400, "Bad Request"),
    ],
    ids=["long-request-line", "long-header", "too-many-headers", "bad-request-line", "bad-header"],
)
def test_what_gunicorn_refuses_itself_is_json(gunicorn, raw, status, detail_start):
    answer_status, headers, body = _exchange(gunicorn, raw)

    assert answer_status == status
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    assert json.loads(body)["detail"].startswith(detail_start)


@pytest.mark.parametrize(
    ("raw", "status", "detail"),
    [
        (_get(0, "/%01%02"), 404, "Not found"),
        (_get(0, "/drivers/%00/x", "Accept: text/html"), 404, "Not found"),
        (_get(0, "/charging-points", host="evil.example"), 400, "Invalid Host header"),
    ],
    ids=["control-characters", "api-path-from-a-browser", "bad-host"],
)
def test_what_django_refuses_is_json_through_gunicorn(gunicorn, raw, status, detail):
    answer_status, headers, body = _exchange(gunicorn, raw)

    assert answer_status == status
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"detail": detail}


def test_every_way_of_starting_the_web_process_uses_the_config():
    base = Path(settings.BASE_DIR)
    web_line = next(line for line in (base / "Procfile").read_text().splitlines() if line.startswith("web:"))

    assert "-c config/gunicorn_conf.py" in web_line
    assert '"-c", "config/gunicorn_conf.py"' in (base / "docker-compose.yml").read_text()
    assert '"-c", "config/gunicorn_conf.py"' in (base / "Dockerfile").read_text()


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    """One response with a Content-Length from a connection that stays open; (0, b"") when it was closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        if not (chunk := sock.recv(65536)):
            return 0, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")).split()[1])
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split()[1]), body


def test_a_connection_stays_open_from_one_poll_of_the_page_to_the_next(gunicorn):
    poll = _get(0, "/health").replace(b"Connection: close", b"Connection: keep-alive")
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=10) as sock:
        sock.sendall(poll)
        assert _read_response(sock)[0] == 200

        time.sleep(settings.DASHBOARD_REFRESH_SECONDS + 0.5)
        try:
            sock.sendall(poll)
            status, body = _read_response(sock)
        except ConnectionResetError:
            status, body = 0, b""

    assert (status, json.loads(body)["status"]) == (200, "healthy")


def test_keep_alive_outlasts_the_refresh_interval_and_a_load_balancers_idle_time_out():
    from config import gunicorn_conf

    assert gunicorn_conf.keepalive > max(settings.DASHBOARD_REFRESH_SECONDS, 60)
