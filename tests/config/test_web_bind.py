"""The web process of the Procfile (`make run`) listens on DRIVER_DASHBOARD_BIND, loopback unless told otherwise."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from central.gateway.tansu import free_port
from tests.waiting import wait_for

HONCHO = str(Path(sys.executable).parent / "honcho")


def _listening_address(port: int) -> str | None:
    """The IPv4 address a socket LISTENs on at `port` on this machine (from /proc/net/tcp), or None."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, hex_port = fields[1].split(":")
        if int(hex_port, 16) == port and fields[3] == "0A":
            return socket.inet_ntoa(int(address, 16).to_bytes(4, "little"))
    return None


@pytest.mark.parametrize("bind,expected", [(None, "127.0.0.1"), ("0.0.0.0", "0.0.0.0")])
def test_procfile_web_binds_the_configured_address(tmp_path, bind, expected):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DRIVER_DASHBOARD_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_VAR_DIR": str(tmp_path),
        "DRIVER_DASHBOARD_PORT": str(port),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    if bind:
        env["DRIVER_DASHBOARD_BIND"] = bind
    log = tmp_path / "honcho.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [HONCHO, "-f", "Procfile", "start", "web"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: _listening_address(port) or process.poll() is not None, timeout=30, what="gunicorn to listen")
        assert process.poll() is None, log.read_text()
        assert _listening_address(port) == expected
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
