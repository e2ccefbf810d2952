"""Central's HTTP API, simulated (plain HTTP): GET /cp, POST /stop-session, GET /health, with the protocol's
JSON shapes; plus the fault-injection admin endpoints under /sim/ (see README.md, "Running it: make run").
"""

import json
import logging
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from central.gateway.messages import PoisonMessage, StopRequest
from simulator.central import CentralSim, UnknownPoint

logger = logging.getLogger(__name__)

POINT_ACTION = re.compile(r"^/sim/points/(?P<cp_id>[^/]+)/(?P<action>offline|online|fault|repair|state)$")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class CentralHTTP:
    """The HTTP listener. `unreachable(seconds)` closes the port for a while (connections are refused)."""

    def __init__(self, central: CentralSim, host: str = "127.0.0.1", port: int = 8000):
        self.central = central
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> "CentralHTTP":
        with self._lock:
            self._server = _Server((self.host, self.port), _handler_class(self))
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(target=self._server.serve_forever, name="central-http", daemon=True)
            self._thread.start()
        logger.info("central HTTP API on %s", self.url)
        return self

    def _close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server:
            server.shutdown()
            server.server_close()

    def stop(self) -> None:
        self._stopped = True
        self._close()

    def unreachable(self, seconds: float) -> None:
        """Answer this request, then stop listening for `seconds` and listen again on the same port."""
        self.central.set_unreachable(seconds)

        def outage():
            time.sleep(0.2)  # let the admin call's answer go out first
            self._close()
            logger.warning("central HTTP unreachable for %.1fs", seconds)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and not self._stopped:
                time.sleep(0.1)
            if not self._stopped:
                for _ in range(50):
                    try:
                        self.start()
                        break
                    except OSError:
                        time.sleep(0.1)

        threading.Thread(target=outage, name="central-outage", daemon=True).start()


def _handler_class(api: CentralHTTP):
    central = api.central

    class Handler(BaseHTTPRequestHandler):
        server_version = "ev-central-simulator"

        def log_message(self, fmt, *args):
            logger.debug("%s %s", self.address_string(), fmt % args)

        def _send(self, status: int, body) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict | None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not raw.strip():
                return {}
            try:
                data = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                return None
            return data if isinstance(data, dict) else None

        def _slow(self) -> None:
            if central.slow_seconds:
                time.sleep(central.slow_seconds)

        def do_GET(self):
            path = self.path.split("?", 1)[0].rstrip("/") or "/"
            if path.startswith("/sim"):
                return self._send(200, {"knobs": central.knobs(), **central.status()})
            self._slow()
            if path == "/health":
                return self._send(200, {"status": "healthy", "service": "ev-central"})
            if path == "/cp":
                return self._send(200, central.status())
            return self._send(404, {"success": False, "error": "Not found"})

        def do_POST(self):
            path = self.path.split("?", 1)[0].rstrip("/")
            body = self._body()
            if body is None:
                return self._send(400, {"success": False, "error": "Body must be a JSON object"})
            if path == "/stop-session":
                self._slow()
                try:
                    request = StopRequest.from_wire(body)
                except PoisonMessage as exc:
                    return self._send(400, {"success": False, "error": f"Invalid stop request: {exc}"})
                status, answer = central.stop_session(request)
                return self._send(status, answer)
            if path.startswith("/sim/"):
                try:
                    return self._admin(path, body)
                except UnknownPoint as exc:
                    return self._send(404, {"success": False, "error": f"Charging point {exc} not found"})
                except (TypeError, ValueError) as exc:
                    return self._send(400, {"success": False, "error": str(exc)})
            return self._send(404, {"success": False, "error": "Not found"})

        def _admin(self, path: str, body: dict):
            match = POINT_ACTION.match(path)
            if match:
                cp_id, action = match["cp_id"], match["action"]
                if action == "offline":
                    view = central.set_offline(cp_id, silent=bool(body.get("silent", False)))
                elif action == "fault":
                    view = central.fault(
                        cp_id,
                        reason=str(body.get("reason") or "Simulated hardware fault"),
                        silent=bool(body.get("silent", True)),
                    )
                elif action == "state":
                    view = central.set_state(cp_id, str(body.get("state") or ""))
                else:  # online, repair
                    view = central.restore(cp_id)
                logger.warning("admin: %s %s -> %s/%s", action, cp_id, view["state"], view["engine_state"])
                return self._send(200, view)
            if path == "/sim/slow":
                central.slow_seconds = max(0.0, float(body.get("seconds") or 0))
            elif path == "/sim/deny-all":
                enabled = bool(body.get("enabled", True))
                central.deny_all_reason = (
                    str(body.get("reason") or "Charging point not authorised") if enabled else None
                )
            elif path == "/sim/session-limit":
                seconds = body.get("seconds")
                central.session_limit_seconds = float(seconds) if seconds else None
            elif path == "/sim/unreachable":
                seconds = float(body.get("seconds") or 10)
                # The request consumer waits out the outage; past max.poll.interval.ms (300 s) it would leave its group.
                if not 0 < seconds <= 240:
                    raise ValueError("seconds must be between 0 and 240")
                self._send(200, {"success": True, "unreachable_for_seconds": seconds})
                api.unreachable(seconds)
                return None
            elif path == "/sim/reset":
                central.reset_knobs()
            else:
                return self._send(404, {"success": False, "error": "Not found"})
            logger.warning("admin: %s %s -> %s", path, body, central.knobs())
            return self._send(200, {"success": True, "knobs": central.knobs()})

    return Handler
