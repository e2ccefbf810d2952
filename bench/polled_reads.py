"""What the endpoints a dashboard polls cost (a script that prints figures, not a test).

Each open page asks every DASHBOARD_REFRESH_SECONDS (2 s) for `/charging-points`, `…/sessions/current`,
`…/notifications`, `…/alerts` and `/sync-status` (and `…/sessions/history` every 10th cycle), with a token or a
login. Two modes, both on their own PostgreSQL database (dropped and re-created, then seeded with the shipped
network, the demo drivers, a CHARGING session, notifications and an alert for driver-alice):

    .venv/bin/python bench/polled_reads.py profile [--requests 300] [--plain]
        In this process, through Django's test client: CPU ms per request (process time), queries per request
        (CaptureQueriesContext) and, with --top N, the N functions cProfile finds most expensive per endpoint.

    .venv/bin/python bench/polled_reads.py http [--duration 5] [--concurrency 1,8,64] [--plain]
        A real gunicorn (production settings, the Procfile's 2 workers × 4 threads, config/gunicorn_conf.py) on
        PostgreSQL with the Redis cache, loaded by wrk (`apt-get install -y wrk`): req/s and p50/p95/p99 of each
        polled endpoint, as a plain poll and as the browser's conditional poll (If-None-Match: the last ETag),
        beside `/health` measured in the same run. Everything it starts is stopped at the end.

    .venv/bin/python bench/polled_reads.py serve --env-file FILE [--plain]
        The http mode's server alone (seeded database, gunicorn), its BENCH_URL/BENCH_TOKEN/BENCH_DRIVER written to
        FILE once it answers, until SIGTERM: what bench/wrk_polled.sh loads.

--plain measures the same code with the read-side caches off (API_CONDITIONAL_GET=false, API_GZIP=false,
AUTH_TOKEN_CACHE_SECONDS=0, API_RESPONSE_CACHE_SECONDS=0): the "before" column of README "Read performance".

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_polled_reads),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/11, flushed at the start of the http mode; the tests use 4-9).
"""

import cProfile
import json
import os
import pstats
import re
import signal
import statistics
import subprocess
import tempfile
import time

from _support import (
    BASE_DIR,
    arguments,
    bench_database_url,
    django_environment,
    django_setup,
    free_port,
    recreate_database,
)

DB_URL = bench_database_url("bench_polled_reads")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
DRIVER = "driver-alice"

# What one open page polls; `/health` is the framework's floor, measured beside them.
ENDPOINTS = [
    ("/health", False),
    ("/charging-points", True),
    (f"/drivers/{DRIVER}/sessions/current", True),
    (f"/drivers/{DRIVER}/notifications", True),
    (f"/drivers/{DRIVER}/alerts", True),
    ("/sync-status", True),
    (f"/drivers/{DRIVER}/sessions/history", True),
]

PLAIN_ENVIRONMENT = {
    "API_CONDITIONAL_GET": "false",
    "API_GZIP": "false",
    "AUTH_TOKEN_CACHE_SECONDS": "0",
    "API_RESPONSE_CACHE_SECONDS": "0",
}

# wrk's Lua hooks: one JSON line with req/s and latency percentiles (µs) at the end of the run.
WRK_SCRIPT = """
local token, etag = os.getenv("BENCH_TOKEN"), os.getenv("BENCH_ETAG")
wrk.headers["Authorization"] = "Token " .. token
wrk.headers["Accept-Encoding"] = "gzip"
if etag and etag ~= "" then wrk.headers["If-None-Match"] = etag end
local statuses = {}
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "non2xx3xx": %d, "errors": %d, "p50": %d, "p95": %d, "p99": %d}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def environment(plain: bool, debug: bool) -> dict[str, str]:
    env = django_environment(
        DB_URL,
        DJANGO_DEBUG="true" if debug else "false",
        DJANGO_SECRET_KEY="bench-polled-reads-" + "x" * 40,
        DJANGO_SECURE_COOKIES="false",
        REDIS_URL=REDIS_URL,
    )
    if plain:
        env.update(PLAIN_ENVIRONMENT)
    return env


def seed() -> str:
    """The shipped network, the demo drivers, and alice's open session, notifications and an alert; her token."""
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from chargingpoints.models import ChargingPoint
    from drivers.services import drivers_seed_demo, favorite_add
    from notifications.models import BroadcastAlert
    from notifications.services import notification_for_session
    from sessions_app.models import ChargingSession

    call_command("migrate", verbosity=0)
    call_command("seed_charging_points", verbosity=0)
    alice = next(demo for demo in drivers_seed_demo() if demo.driver.driver_id == DRIVER)
    point = ChargingPoint.objects.order_by("cp_id").first()
    favorite_add(driver=alice.driver, cp_id=point.cp_id)
    now = timezone.now()
    for number in range(8):
        done = ChargingSession.objects.create(
            driver=alice.driver,
            charging_point=point,
            session_id=f"session-bench-{number}",
            vehicle_id="vehicle-1",
            price_eur_per_kwh=point.price_eur_per_kwh,
            status="COMPLETED",
            started_at=now - timedelta(hours=number + 2),
            completed_at=now - timedelta(hours=number + 1),
            energy_kwh=Decimal("12.5"),
            cost_eur=Decimal("4.2"),
        )
        notification_for_session(session=done, message=f"Session {number} completed", dedupe_key=f"bench-{number}")
    ChargingSession.objects.create(
        driver=alice.driver,
        charging_point=point,
        session_id="session-bench-open",
        vehicle_id="vehicle-1",
        price_eur_per_kwh=point.price_eur_per_kwh,
        status="CHARGING",
        started_at=now - timedelta(minutes=5),
        energy_kwh=Decimal("1.25"),
        cost_eur=Decimal("0.42"),
    )
    BroadcastAlert.objects.create(
        alert_id="bench-alert", title="Maintenance", message="Maintenance tonight", effective_at=now
    )
    return alice.token


# --- profile: in process ----------------------------------------------------------------------------


def profile(args) -> None:
    os.environ.update(environment(args.plain, debug=False))
    recreate_database(DB_URL)
    django_setup(migrate=False)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    token = seed()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    print(f"{args.requests} requests each, in process (Django test client), PostgreSQL, token auth, Redis cache;")
    print(f"read-side caches {'OFF (--plain)' if args.plain else 'on'}; CPU = process time per request")
    print(f"{'':40}{'CPU ms':>8}{'wall ms':>9}{'queries':>9}{'bytes':>8}{'ratio':>7}")
    floor = None
    for path, _ in ENDPOINTS:
        for _ in range(10):
            client.get(path)
        with CaptureQueriesContext(connection) as capture:
            response = client.get(path)
        queries = capture.captured_queries  # now: the next request empties the connection's log
        assert response.status_code == 200, (path, response.status_code)
        cpu, wall = [], []
        profiler = cProfile.Profile() if args.top else None
        for _ in range(args.requests):
            c0, w0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            client.get(path)
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        cpu_ms = statistics.mean(cpu)
        floor = floor or cpu_ms
        print(
            f"GET {path:36}{cpu_ms:8.2f}{statistics.median(wall):9.2f}{len(queries):9d}"
            f"{len(response.content):8d}{cpu_ms / floor:7.1f}"
        )
        if args.queries:
            for query in queries:
                print(f"      {query['sql'][:150]}")
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats(args.sort).print_stats(args.top)


# --- http: gunicorn + wrk ---------------------------------------------------------------------------


def wait_up(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /health in time")


def first_etag(port: int, path: str, token: str) -> str:
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.headers.get("ETag") or ""


def wrk(port: int, path: str, token: str, etag: str, connections: int, seconds: float, script: str) -> dict:
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_ETAG": etag}
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        script,
        f"http://127.0.0.1:{port}{path}",
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    result = json.loads(re.findall(r"^\{.*\}$", out, re.MULTILINE)[-1])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def start_server(plain: bool) -> tuple[subprocess.Popen, int, str]:
    """The scratch database seeded, the Redis db flushed, gunicorn started and answering; (process, port, token)."""
    env = {**os.environ, **environment(plain, debug=False)}
    os.environ.update(env)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    recreate_database(DB_URL)
    django_setup(migrate=False)
    token = seed()
    from django.db import connections

    connections.close_all()

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            str(BASE_DIR / ".venv/bin/gunicorn"),
            "-c",
            "config/gunicorn_conf.py",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    try:
        wait_up(port, gunicorn)
    except BaseException:
        stop_server(gunicorn)
        raise
    return gunicorn, port, token


def stop_server(gunicorn: subprocess.Popen) -> None:
    os.killpg(gunicorn.pid, signal.SIGTERM)
    try:
        gunicorn.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(gunicorn.pid, signal.SIGKILL)
        gunicorn.wait()


def serve(args) -> None:
    """For bench/wrk_polled.sh: the server of the http mode, its address written to --env-file as shell
    assignments once it answers, kept until SIGTERM/SIGINT."""
    gunicorn, port, token = start_server(args.plain)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        with open(args.env_file + ".tmp", "w") as out:
            out.write(f"BENCH_URL=http://127.0.0.1:{port}\nBENCH_TOKEN={token}\nBENCH_DRIVER={DRIVER}\n")
        os.replace(args.env_file + ".tmp", args.env_file)
        while not stopping and gunicorn.poll() is None:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop_server(gunicorn)


def http(args) -> None:
    gunicorn, port, token = start_server(args.plain)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        concurrencies = [int(c) for c in args.concurrency.split(",")]
        print(
            f"gunicorn 2 workers × 4 threads, production settings, PostgreSQL, Redis cache; wrk {args.duration} s "
            f"per line; read-side caches {'OFF (--plain)' if args.plain else 'on'}"
        )
        print(f"{'':60}{'c':>4}{'req/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}{'× health':>9}")
        for connections in concurrencies:
            health = None
            for path, polled in ENDPOINTS:
                if args.only and path != "/health" and not any(part in path for part in args.only.split(",")):
                    continue
                variants = [("", "")]
                if polled and not args.plain:
                    variants.append((" (If-None-Match)", first_etag(port, path, token)))
                for label, etag in variants:
                    result = wrk(port, path, token, etag, connections, args.duration, script.name)
                    health = health or result["rps"]
                    print(
                        f"GET {path + label:56}{connections:4d}{result['rps']:9.0f}{result['p50'] / 1000:8.1f}"
                        f"{result['p95'] / 1000:8.1f}{result['p99'] / 1000:8.1f}"
                        f"{result['errors'] + result['non2xx3xx']:7d}{result['rps'] / health:9.2f}"
                    )
    finally:
        stop_server(gunicorn)
        os.unlink(script.name)


def main() -> None:
    parser = arguments(__doc__)
    modes = parser.add_subparsers(dest="mode", required=True)
    in_process = modes.add_parser("profile", help="CPU and queries per request, in process")
    in_process.add_argument("--requests", type=int, default=300, help="requests measured per endpoint")
    in_process.add_argument("--top", type=int, default=0, help="print cProfile's N most expensive functions")
    in_process.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    in_process.add_argument("--queries", action="store_true", help="print each endpoint's SQL")
    in_process.add_argument("--plain", action="store_true", help="read-side caches off")
    over_http = modes.add_parser("http", help="req/s and latency against a real gunicorn, with wrk")
    over_http.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    over_http.add_argument("--concurrency", default="1,8,64", help="wrk connections, comma-separated")
    over_http.add_argument("--plain", action="store_true", help="read-side caches off")
    over_http.add_argument("--only", default="", help="only the endpoints whose path has one of these (and /health)")
    server = modes.add_parser("serve", help="the http mode's server only, until SIGTERM (bench/wrk_polled.sh)")
    server.add_argument("--env-file", required=True, help="where to write BENCH_URL, BENCH_TOKEN, BENCH_DRIVER")
    server.add_argument("--plain", action="store_true", help="read-side caches off")
    args = parser.parse_args()
    {"profile": profile, "http": http, "serve": serve}[args.mode](args)


if __name__ == "__main__":
    main()
