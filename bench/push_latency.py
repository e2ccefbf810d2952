"""Push latency: central's status message produced on Kafka -> the `session` event received on the driver's
live stream (GET /drivers/{id}/events), beside a baseline measured in the same run: the same kind of message ->
visible to a client polling GET …/sessions/current as fast as it can (every millisecond, the floor of polling;
the page polls every DASHBOARD_REFRESH_SECONDS = 2 s, which adds 0–2 s on top). A script that prints figures,
not a test.

Per session: the stream is opened (token auth, over real HTTP), `accepted` is produced and the time to the
`session` event saying APPROVED is taken; then `in_progress` is produced and the time until the poll shows
CHARGING. The dedicated consumer (`manage.py consume_central_events`) and the events process (uvicorn
config.asgi) run as their own processes, on a tansu broker, a scratch PostgreSQL database and Redis db 11.

    .venv/bin/python bench/push_latency.py [--sessions 100]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_push_latency),
BENCH_EVENTS_REDIS_URL (default redis://127.0.0.1:6379/11).
"""

import http.client
import json
import os
import secrets
import subprocess
import sys
import time

from _support import (
    BASE_DIR,
    arguments,
    bench_database_url,
    driver_update,
    free_port,
    kafka_stack,
    percentile,
    requested_session,
)

DB_URL = bench_database_url("bench_push_latency")
REDIS_URL = os.environ.get("BENCH_EVENTS_REDIS_URL", "redis://127.0.0.1:6379/11")


class Stream:
    """A driver's event stream, read line by line."""

    def __init__(self, port: int, driver_id: str, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.connection.request("GET", f"/drivers/{driver_id}/events", headers={"Authorization": f"Token {token}"})
        self.response = self.connection.getresponse()
        if self.response.status != 200:
            raise SystemExit(f"stream answered {self.response.status}: {self.response.read()[:200]!r}")
        assert self.response.readline().startswith(b": connected")  # registered: nothing published after is missed

    def session_status(self) -> str | None:
        """The status in the next `session` event (None for null)."""
        kind = None
        while True:
            line = self.response.readline()
            if not line:
                raise SystemExit("the stream ended")
            if line.startswith(b"event: "):
                kind = line[7:].strip()
            elif line.startswith(b"data: ") and kind == b"session":
                body = json.loads(line[6:])
                return body["status"] if body else None

    def close(self):
        self.connection.close()


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<52} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms   "
        f"p99 {percentile(ms, 99):7.1f} ms   max {max(ms):7.1f} ms"
    )


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--sessions", type=int, default=100, help="sessions measured")
    args = parser.parse_args()
    os.environ["EVENTS_REDIS_URL"] = REDIS_URL
    os.environ["EVENTS_STREAM"] = f"bench-push:{secrets.token_hex(3)}"
    port = free_port()
    with kafka_stack(DB_URL, "bench-push") as env:
        env = {**os.environ, **env}
        log = open(BASE_DIR / "var" / "bench-push.log", "wb")  # noqa: SIM115
        processes = [
            subprocess.Popen(
                [sys.executable, "manage.py", "consume_central_events"], cwd=BASE_DIR, env=env, stdout=log, stderr=log
            ),
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=log,
            ),
        ]
        try:
            run(args, env, port)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
            import redis

            redis.Redis.from_url(REDIS_URL).delete(os.environ["EVENTS_STREAM"])


def run(args, env: dict, port: int) -> None:
    from confluent_kafka import Producer
    from django.test import Client
    from django.utils.timezone import now
    from rest_framework.authtoken.models import Token

    producer = Producer({"bootstrap.servers": env["KAFKA_BOOTSTRAP_SERVERS"], "linger.ms": 0})
    updates = env["KAFKA_TOPIC_UPDATES"]

    def send(message):
        producer.produce(updates, key=message.key.encode(), value=message.to_bytes())
        producer.flush(5)

    n = args.sessions + 1  # the first one warms the consumer and the events process up and is not measured
    sessions = [requested_session(i, f"CP-P{i:03d}") for i in range(n)]
    tokens = [Token.objects.create(user=s.driver.user).key for s in sessions]
    deadline = time.monotonic() + 30
    while True:  # the events process is up
        try:
            Stream(port, sessions[0].driver.driver_id, tokens[0]).close()
            break
        except (ConnectionRefusedError, SystemExit):
            if time.monotonic() > deadline:
                raise SystemExit("the events process did not answer within 30 s") from None
            time.sleep(0.2)

    pushed, polled = [], []
    for i, (session, token) in enumerate(zip(sessions, tokens, strict=True)):
        stream = Stream(port, session.driver.driver_id, token)
        started = time.perf_counter()
        send(driver_update(session, "accepted", f"session-{session.request_id[4:]}", now()))
        while stream.session_status() != "APPROVED":
            if time.perf_counter() - started > (30 if i == 0 else 10):
                raise SystemExit(f"{session.request_id}: no APPROVED event")
        elapsed = time.perf_counter() - started
        stream.close()

        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        url = f"/drivers/{session.driver.driver_id}/sessions/current"
        started = time.perf_counter()
        send(driver_update(session, "in_progress", f"session-{session.request_id[4:]}", now()))
        while (client.get(url).json() or {}).get("status") != "CHARGING":
            if time.perf_counter() - started > 10:
                raise SystemExit(f"{session.request_id}: not CHARGING after 10 s")
            time.sleep(0.001)
        if i:
            pushed.append(elapsed)
            polled.append(time.perf_counter() - started)

    print(f"central's message produced -> the driver sees the new status, {len(pushed)} sessions:")
    print(summary("pushed: `session` event on the stream (SSE)", pushed))
    print(summary("baseline: GET sessions/current polled every 1 ms", polled))
    print("(the page's own polling every 2 s would add 0-2 s, about 1 s on average, to the baseline)")


if __name__ == "__main__":
    main()
