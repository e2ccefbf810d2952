"""The events process for tests: uvicorn serving config.asgi in a thread of the test process (so it sees the test
database and the test's settings), and a small server-sent-events client over real HTTP."""

import http.client
import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvicorn

from central.gateway.tansu import free_port


class EventsServer:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._thread = None

    def start(self) -> "EventsServer":
        from config.asgi import application

        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="events-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the events server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@dataclass
class Sse:
    id: str | None
    type: str
    data: object


class SseClient:
    """GET a stream and read its events one by one (comments are counted, not returned)."""

    def __init__(self, url: str, *, headers: dict | None = None, timeout: float = 5.0):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.connection.request("GET", parts.path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.comments: list[str] = []

    def json(self):
        return json.loads(self.response.read())

    def next(self, timeout: float = 5.0) -> Sse:
        """The next event; raises TimeoutError when none comes within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        fields: dict[str, str] = {}
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no event within {timeout} s")
            self.connection.sock.settimeout(left)
            try:
                line = self.response.readline()
            except TimeoutError:
                raise TimeoutError(f"no event within {timeout} s") from None
            if not line:
                raise ConnectionError("the stream ended")
            line = line.decode().rstrip("\n")
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                continue
            if line:
                name, _, value = line.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value
                continue
            if "data" in fields:
                return Sse(fields.get("id"), fields.get("event", "message"), json.loads(fields["data"]))
            fields = {}

    def nothing_within(self, seconds: float) -> bool:
        try:
            event = self.next(timeout=seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected event {event}")

    def close(self) -> None:
        self.connection.close()
