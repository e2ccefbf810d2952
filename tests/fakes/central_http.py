"""Central's HTTP side, faked at the HTTP level: a real local server speaking GET /cp,
POST /stop-session and GET /health with the protocol's JSON shapes; tests set what it answers.
The stop call is read and answered with central's message types (`central.gateway.messages`)."""

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from central.gateway.messages import PoisonMessage, StopRequest, StopResponse


def central_cp(cp_id: str, **overrides) -> dict:
    """One `charging_points[]` item of GET /cp, idle and healthy unless overridden."""
    item = {
        "cp_id": cp_id,
        "state": "ON",
        "engine_state": "ACTIVATED",
        "monitor_status": "OK",
        "city": "Springfield",
        "current_driver": None,
        "current_session": None,
        "last_update": "2026-11-23T12:00:00Z",
        "communication_status": "OK",
        "is_faulty": False,
        "fault_reason": None,
        "telemetry": None,
    }
    item.update(overrides)
    return item


class FakeCentralHTTP:
    """State the handler answers from; tests change it between calls."""

    def __init__(self):
        self.charging_points: list[dict] = []
        self.system_events: list[dict] = []
        self.stop_status = 200
        # The stop calls' bodies (wire dicts of the StopRequests), in the order they arrived.
        self.stop_calls: list[dict] = []
        # Called with the stop call's body before central answers it (central's Kafka side may act first).
        self.on_stop = None
        self.cp_calls = 0
        self.fail_cp_with: int | None = None
        # Seconds GET /cp waits before answering; the picture is the one set when the request arrived.
        self.cp_delay = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def status_body(self) -> dict:
        return {
            "charging_points": self.charging_points,
            "active_requests": 0,
            "active_requests_details": [],
            "system_errors": [],
            "error_summary": {},
            "system_events": self.system_events,
        }

    def start(self) -> "FakeCentralHTTP":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/health":
                    return self._send(200, {"status": "healthy", "service": "ev-central"})
                if self.path == "/cp":
                    fake.cp_calls += 1
                    fail_with, body, delay = fake.fail_cp_with, copy.deepcopy(fake.status_body()), fake.cp_delay
                    if delay:
                        time.sleep(delay)
                    if fail_with:
                        return self._send(fail_with, {"detail": "central failure"})
                    return self._send(200, body)
                return self._send(404, {"detail": "Not found"})

            def do_POST(self):
                if self.path != "/stop-session":
                    return self._send(404, {"detail": "Not found"})
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    request = StopRequest.from_wire(self.rfile.read(length))
                except PoisonMessage as exc:
                    return self._send(400, {"success": False, "error": f"Invalid stop request: {exc}"})
                body = request.to_wire()
                fake.stop_calls.append(body)
                if fake.on_stop is not None and fake.stop_status == 200:
                    fake.on_stop(body)
                if fake.stop_status != 200:
                    return self._send(fake.stop_status, {"detail": "refused by fake central"})
                answer = StopResponse(
                    success=True, cp_id=request.cp_id, session_id=request.session_id, message="Stop command sent"
                )
                return self._send(200, answer.to_wire())

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
