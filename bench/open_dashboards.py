"""N open dashboards against the production web process (a script that prints figures, not a test).

Each simulated page does what dashboard/static/dashboard/js/poll.js does, as one driver signed in with an API
token: every DASHBOARD_REFRESH_SECONDS (2 s) it sends, at once, `/charging-points?include=details&lat&lng`,
`…/sessions/current`, `…/notifications`, `…/alerts`, `/sync-status` and `…/watches` (and `…/sessions/history` on
every 10th run), waits for all of them, then waits the refresh interval again. Like the browser it asks with
`Accept-Encoding: gzip` and `If-None-Match: <the last ETag>` (a 304 is a success), holds at most 6 connections per
page (keep-alive) and gives up on a read after 10 s (api.js: max(5 s, 5 × refresh)).

When the stack serves the event stream (a `events:` or `push:` line in the Procfile, started here on a free port),
each page also opens `GET /drivers/{id}/events` and, while it is open, polls only every --safety-refresh seconds
(the stream contract); a page whose stream fails polls every refresh interval, as the real page falls back. Without
it the run is polling-only, and says so.

For each N of --pages: a baseline phase (the same pages sending the same number of requests per cycle, all to
`/health`: the framework's floor under the same concurrency), then the page mix. Each phase opens the pages over
--ramp seconds (default one refresh interval), waits --warmup seconds, then measures --seconds: req/s,
p50/p95/p99 latency, errors (timeouts, 5xx, resets and refused connections, other) and the server's CPU: the CPU
time of every server process (gunicorn's master and workers, the events process; not PostgreSQL or Redis) over the
window, in % of one core (the machine's cores: 100 % each). The client's own CPU is printed too: it shares the
machine, as does the 1-minute load average (other work on it).

It starts what it measures: a scratch PostgreSQL database (dropped and re-created) with the shipped network and
max(N) drivers (tokens, 3 finished sessions and 3 notifications each, one broadcast alert), Redis db 12 flushed
(the cache: tokens, wait figures), gunicorn as the Procfile runs it (2 workers × 4 threads, production settings),
and stops them at the end.

    .venv/bin/python bench/open_dashboards.py --pages 100,500,1000 --seconds 30
    .venv/bin/python bench/open_dashboards.py --pages 100 --seconds 10 --no-stream    # polling only

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_open_dashboards),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/12).
"""

import asyncio
import functools
import multiprocessing
import os
import random
import re
import resource
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import (  # noqa: E402
    BASE_DIR,
    arguments,
    bench_database_url,
    django_environment,
    django_setup,
    free_port,
    percentile,
    recreate_database,
)
from idle_cpu import cpu_seconds  # noqa: E402
from soak import process_tree  # noqa: E402

DB_URL = bench_database_url("bench_open_dashboards")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
REFRESH_SECONDS = 2.0
HISTORY_EVERY_N_POLLS = 10
READ_TIMEOUT_SECONDS = 10.0
CONNECTIONS_PER_PAGE = 6  # what a browser opens to one host over HTTP/1.1
# Springfield, where the shipped network is: the page sends the browser's position.
POSITION = {"lat": "42.1015", "lng": "-72.5898"}


def environment() -> dict[str, str]:
    return django_environment(
        DB_URL,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-open-dashboards-" + "x" * 40,
        DJANGO_SECURE_COOKIES="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL=REDIS_URL,
        EVENTS_REDIS_URL=REDIS_URL,
    )


# --- the stack ----------------------------------------------------------------------------------------------


def seed(drivers: int) -> list[tuple[str, str]]:
    """The shipped network and `drivers` drivers with a token, 3 finished sessions and 3 notifications each, and
    one broadcast alert; [(driver_id, token)]. Rows are inserted in bulk (one password hash for all)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from chargingpoints.models import ChargingPoint
    from drivers.models import Driver
    from notifications.models import BroadcastAlert, Notification
    from sessions_app.models import ChargingSession

    call_command("migrate", verbosity=0)
    call_command("seed_charging_points", verbosity=0)
    points = list(ChargingPoint.objects.order_by("cp_id"))
    password = make_password("bench-pass-123")
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"page{i}", password=password) for i in range(drivers))
    driver_rows = Driver.objects.bulk_create(Driver(driver_id=f"driver-page{i}", user=u) for i, u in enumerate(users))
    tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
    now = timezone.now()
    sessions = []
    for i, driver in enumerate(driver_rows):
        for n in range(3):
            point = points[(i + n) % len(points)]
            started = now - timedelta(days=n + 1, minutes=30 + 10 * n)
            sessions.append(
                ChargingSession(
                    driver=driver,
                    charging_point=point,
                    request_id=f"req-page{i}-{n}",
                    session_id=f"session-page{i}-{n}",
                    vehicle_id="vehicle-1",
                    price_eur_per_kwh=point.price_eur_per_kwh,
                    status="COMPLETED",
                    requested_at=started,
                    started_at=started,
                    completed_at=started + timedelta(minutes=30 + 10 * n),
                    energy_kwh=Decimal("12.5"),
                    cost_eur=Decimal("4.20"),
                )
            )
    ChargingSession.objects.bulk_create(sessions, batch_size=2000)
    Notification.objects.bulk_create(
        (
            Notification(driver=d, type=Notification.Type.SESSION, message=f"Session {n} completed")
            for d in driver_rows
            for n in range(3)
        ),
        batch_size=2000,
    )
    BroadcastAlert.objects.create(
        alert_id="bench-alert", title="Maintenance", message="Maintenance tonight", effective_at=now
    )
    return [(d.driver_id, t.key) for d, t in zip(driver_rows, tokens, strict=True)]


def procfile_events_command() -> str | None:
    """The Procfile's event-stream process (a line `events:` or `push:`), if the stack has one."""
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        match = re.match(r"^(events|push)\s*:\s*(.+)$", line.strip())
        if match:
            return match.group(2)
    return None


def wait_answering(url: str, process: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers (401 without a token is an answer)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} in time")


def start(command: list[str] | str, env: dict[str, str]) -> subprocess.Popen:
    shell = isinstance(command, str)
    return subprocess.Popen(
        command, cwd=BASE_DIR, env=env, start_new_session=True, shell=shell, executable="/bin/bash" if shell else None
    )


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def server_cpu(processes: list[subprocess.Popen]) -> dict[int, float]:
    return {
        pid: cpu for process in processes for pid in process_tree(process.pid) if (cpu := cpu_seconds(pid)) is not None
    }


# --- the pages ------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    server_errors: int = 0
    resets: int = 0
    other: int = 0
    not_modified: int = 0
    streams_open: int = 0
    stream_failures: int = 0
    events: int = 0
    measuring: bool = False

    def errors(self) -> int:
        return self.timeouts + self.server_errors + self.resets + self.other


class Page:
    def __init__(self, base: str, events_base: str | None, driver_id: str, token: str, mode: str, args, figures):
        self.base, self.events_base, self.mode, self.args, self.figures = base, events_base, mode, args, figures
        self.driver = f"/drivers/{driver_id}"
        self.headers = {"Authorization": f"Token {token}", "Accept-Encoding": "gzip"}
        self.etags: dict[str, str] = {}
        self._stream_open = False
        self.shared_open = None  # (flags, index): the stream is held by the stream holder's process
        self.report_open = None  # in the holder: tells the pages' process whether the stream is open

    @property
    def stream_open(self) -> bool:
        if self.shared_open is not None:
            flags, index = self.shared_open
            return bool(flags[index])
        return self._stream_open

    @stream_open.setter
    def stream_open(self, value: bool) -> None:
        self._stream_open = value
        if self.report_open is not None:
            self.report_open(value)

    def paths(self, count: int) -> list[str]:
        if self.mode == "baseline":
            return ["/health"] * (7 if count % HISTORY_EVERY_N_POLLS == 1 else 6)
        query = "&".join(["include=details", *(f"{k}={v}" for k, v in POSITION.items())])
        paths = [
            f"/charging-points?{query}",
            f"{self.driver}/sessions/current",
            f"{self.driver}/notifications",
            f"{self.driver}/alerts",
            "/sync-status",
            f"{self.driver}/watches",
        ]
        if count % HISTORY_EVERY_N_POLLS == 1:
            paths.append(f"{self.driver}/sessions/history")
        return paths

    async def get(self, session, path: str) -> None:
        import aiohttp

        headers = dict(self.headers)
        if path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        figures, started = self.figures, time.perf_counter()
        try:
            async with session.get(self.base + path, headers=headers) as response:
                await response.read()
                status = response.status
                if status == 200 and response.headers.get("ETag"):
                    self.etags[path] = response.headers["ETag"]
        except (TimeoutError, aiohttp.ServerTimeoutError):
            if figures.measuring:
                figures.timeouts += 1
            return
        except (aiohttp.ClientConnectionError, ConnectionError):
            if figures.measuring:
                figures.resets += 1
            return
        except aiohttp.ClientError:
            if figures.measuring:
                figures.other += 1
            return
        if not figures.measuring:
            return
        figures.latencies.append((time.perf_counter() - started) * 1000)
        if status >= 500:
            figures.server_errors += 1
        elif status == 304:
            figures.not_modified += 1
        elif status != 200:
            figures.other += 1

    async def stream(self) -> None:
        """The event stream on a connection of its own, reconnecting with Last-Event-ID; `stream_open` while it
        delivers."""
        import aiohttp

        last_id = None
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=READ_TIMEOUT_SECONDS, sock_read=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                headers = {**self.headers, "Accept": "text/event-stream"}
                if last_id:
                    headers["Last-Event-ID"] = last_id
                try:
                    async with session.get(f"{self.events_base}{self.driver}/events", headers=headers) as response:
                        if response.status != 200:
                            raise aiohttp.ClientResponseError(response.request_info, (), status=response.status)
                        self.stream_open = True
                        self.figures.streams_open += 1
                        try:
                            async for line in response.content:
                                if line.startswith(b"id:"):
                                    last_id = line[3:].strip().decode()
                                elif line.startswith(b"data:") and self.figures.measuring:
                                    self.figures.events += 1
                        finally:
                            self.stream_open = False
                            self.figures.streams_open -= 1
                except asyncio.CancelledError:
                    raise
                except Exception:
                    if self.figures.measuring:
                        self.figures.stream_failures += 1
                await asyncio.sleep(10.0)  # the page retries the stream later, polling meanwhile

    async def run(self, delay: float) -> None:
        import aiohttp

        await asyncio.sleep(delay)
        connector = aiohttp.TCPConnector(limit=CONNECTIONS_PER_PAGE, keepalive_timeout=60)
        timeout = aiohttp.ClientTimeout(total=READ_TIMEOUT_SECONDS)
        holds_stream = self.events_base and self.mode == "page" and self.shared_open is None
        stream = asyncio.create_task(self.stream()) if holds_stream else None
        try:
            async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
                count, last_poll = 0, 0.0
                while True:
                    # While the stream is open the page only refreshes slowly, for safety; else every interval.
                    if not (self.stream_open and time.monotonic() - last_poll < self.args.safety_refresh):
                        count += 1
                        last_poll = time.monotonic()
                        if count == 1:
                            # Real pages were opened at different moments, not within one refresh as here: their
                            # slow refreshes are spread over the whole safety interval, not fired together.
                            last_poll -= random.uniform(0, self.args.safety_refresh)
                        await asyncio.gather(*(self.get(session, path) for path in self.paths(count)))
                    await asyncio.sleep(REFRESH_SECONDS)
        finally:
            if stream:
                stream.cancel()
                await asyncio.gather(stream, return_exceptions=True)


# --- the streams in a process of their own (--streams-apart, the default) ---------------------------------------
# Browsers are separate processes: 1,000 streams receiving a broadcast at once must not hold up, in the same event
# loop, the answers to the pages' requests being timed. The holder opens each page's stream when the page opens
# and shares, per page, whether it is open (the page's safety-refresh rule) and the events counted while measuring.


def hold_streams(events_base: str, pages: list, delays: list, flags, counters, measuring) -> None:
    """A child process: every page's stream, as Page.stream does it (reconnecting with Last-Event-ID)."""
    asyncio.run(_hold_streams(events_base, pages, delays, flags, counters, measuring))


async def _hold_streams(events_base, pages, delays, flags, counters, measuring) -> None:
    figures = _SharedFigures(counters, measuring)

    async def one(index: int, driver_id: str, token: str, delay: float) -> None:
        await asyncio.sleep(delay)
        page = Page("", events_base, driver_id, token, "page", None, figures)
        page.report_open = lambda value: flags.__setitem__(index, int(value))
        await page.stream()

    opened = enumerate(zip(pages, delays, strict=True))
    await asyncio.gather(*(one(index, driver_id, token, delay) for index, ((driver_id, token), delay) in opened))


class _SharedFigures:
    """What Page.stream counts, in shared memory (the holder writes, the pages' process reads)."""

    def __init__(self, counters, measuring):
        self._counters, self._measuring = counters, measuring

    @property
    def measuring(self) -> bool:
        return bool(self._measuring.value)

    streams_open = property(lambda self: self._counters[0], lambda self, v: self._counters.__setitem__(0, v))
    stream_failures = property(lambda self: self._counters[1], lambda self, v: self._counters.__setitem__(1, v))
    events = property(lambda self: self._counters[2], lambda self, v: self._counters.__setitem__(2, v))


async def churn(per_second: float) -> None:
    """`point` events published as the poll of central publishes them (events.publish, after commit), for a
    random point, `per_second` a second: broadcasts every open stream receives (the fan-out)."""
    from chargingpoints.models import ChargingPoint
    from discovery.events import point_events
    from events.publish import events_publish_on_commit

    pks = await asyncio.to_thread(lambda: list(ChargingPoint.objects.values_list("pk", flat=True)))
    while True:
        build = functools.partial(point_events, [random.choice(pks)])
        await asyncio.to_thread(events_publish_on_commit, build)
        await asyncio.sleep(1 / per_second)


# --- one phase: N pages for warm-up + measured seconds ----------------------------------------------------------


async def phase(mode: str, pages: int, drivers, base: str, events_base: str | None, servers, args) -> dict:
    figures = Figures()
    delays = [random.uniform(0, args.ramp) for _ in range(pages)]
    page_objects = [Page(base, events_base, driver_id, token, mode, args, figures) for driver_id, token in drivers]
    holder = None
    if events_base and mode == "page" and args.streams_apart:
        context = multiprocessing.get_context("spawn")
        flags, counters, measuring = context.Array("b", pages), context.Array("q", 3), context.Value("b", 0)
        holder = context.Process(
            target=hold_streams, args=(events_base, drivers[:pages], delays, flags, counters, measuring), daemon=True
        )
        holder.start()
        for index, page in enumerate(page_objects[:pages]):
            page.shared_open = (flags, index)
    tasks = [asyncio.create_task(page.run(delay)) for page, delay in zip(page_objects[:pages], delays, strict=True)]
    if events_base and mode == "page" and args.churn > 0:
        tasks.append(asyncio.create_task(churn(args.churn)))
    await asyncio.sleep(args.ramp + args.warmup)
    cpu_before, client_before = server_cpu(servers), time.process_time()
    holder_before = (cpu_seconds(holder.pid) or 0.0) if holder else 0.0
    figures.measuring = True
    if holder:
        measuring.value = 1
    started = time.monotonic()
    await asyncio.sleep(args.seconds)
    figures.measuring = False
    if holder:
        measuring.value = 0
    elapsed = time.monotonic() - started
    cpu_after, client_cpu = server_cpu(servers), time.process_time() - client_before
    if holder:
        client_cpu += (cpu_seconds(holder.pid) or 0.0) - holder_before
        figures.streams_open, figures.stream_failures, figures.events = counters[0], counters[1], counters[2]
        holder.terminate()
        holder.join(10)
    streams = figures.streams_open
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    server = sum(cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after)
    lat = figures.latencies or [0.0]
    return {
        "rps": len(figures.latencies) / elapsed,
        "p50": percentile(lat, 50),
        "p95": percentile(lat, 95),
        "p99": percentile(lat, 99),
        "answered": len(figures.latencies),
        "not_modified": figures.not_modified,
        "timeouts": figures.timeouts,
        "server_errors": figures.server_errors,
        "resets": figures.resets,
        "other": figures.other,
        "server_cpu": server / elapsed * 100,
        "client_cpu": client_cpu / elapsed * 100,
        "streams": streams,
        "stream_failures": figures.stream_failures,
        "events": figures.events,
        # The machine's 1-minute load average at the end: other work sharing the cores shows here.
        "load": os.getloadavg()[0],
    }


def row(pages: int, label: str, r: dict) -> str:
    return (
        f"{pages:>6} {label:<22}{r['rps']:8.0f}{r['p50']:8.1f}{r['p95']:8.1f}{r['p99']:9.1f}"
        f"{r['timeouts']:9d}{r['server_errors']:6d}{r['resets']:8d}{r['other']:7d}"
        f"{r['server_cpu']:9.0f} %{r['client_cpu']:8.0f} %{r['load']:7.1f}"
    )


async def measure(args, drivers, base: str, events_base: str | None, servers) -> None:
    print(
        f"{'pages':>6} {'':<22}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>9}{'timeouts':>9}{'5xx':>6}"
        f"{'resets':>8}{'other':>7}{'server CPU':>11}{'client':>9}{'load':>7}",
        flush=True,
    )
    for pages in args.pages:
        baseline = await phase("baseline", pages, drivers, base, None, servers, args)
        print(row(pages, "/health (baseline)", baseline), flush=True)
        mix = await phase("page", pages, drivers, base, events_base, servers, args)
        label = "page mix + stream" if events_base else "page mix, polling"
        print(row(pages, label, mix), flush=True)
        extra = f"{mix['not_modified']} of {mix['answered']} answers 304"
        if events_base:
            extra += f"; streams open {mix['streams']}, failed {mix['stream_failures']}, events {mix['events']}"
        if events_base:
            extra += f" (~{args.churn:g} `point` broadcast/s published by this script)"
        print(f"{'':>7}{extra}", flush=True)


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--pages", default="100,500,1000", help="numbers of open pages, comma-separated")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=5, help="seconds after the ramp before measuring")
    parser.add_argument("--ramp", type=float, default=REFRESH_SECONDS, help="the pages open over this many seconds")
    parser.add_argument("--safety-refresh", type=float, default=30, help="poll interval while the stream is open")
    parser.add_argument("--no-stream", action="store_true", help="polling only, even when the stack has a stream")
    parser.add_argument("--churn", type=float, default=1.0, help="`point` events published per second (stream)")
    parser.add_argument(
        "--one-process",
        dest="streams_apart",
        action="store_false",
        help="hold the streams in the pages' own event loop (before: a broadcast to every stream delays the timed "
        "answers in the client itself)",
    )
    parser.add_argument(
        "--worker-connections", type=int, default=0, help="gunicorn's --worker-connections (default: its conf's)"
    )
    args = parser.parse_args()
    args.pages = [int(n) for n in args.pages.split(",")]

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    env = {**os.environ, **environment()}
    os.environ.update(env)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    recreate_database(DB_URL)
    django_setup(migrate=False)
    started = time.monotonic()
    drivers = seed(max(args.pages))
    from django.db import connections

    connections.close_all()
    print(f"seeded {len(drivers)} drivers in {time.monotonic() - started:.0f} s", flush=True)

    port = free_port()
    web = start(
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
            *(["--worker-connections", str(args.worker_connections)] if args.worker_connections else []),
        ],
        env,
    )
    servers, events_base = [web], None
    events_command = None if args.no_stream else procfile_events_command()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_answering(base + "/health", web, "gunicorn")
        if events_command:
            events_port = free_port()
            events_env = {
                **env,
                "DRIVER_DASHBOARD_BIND": "127.0.0.1",
                "DRIVER_DASHBOARD_EVENTS_PORT": str(events_port),
                "LOG_LEVEL": "warning",
                # As `make run` runs the Procfile: the project's virtualenv first on PATH.
                "PATH": f"{BASE_DIR / '.venv/bin'}{os.pathsep}{env.get('PATH', '')}",
            }
            events = start(events_command, events_env)
            servers.append(events)
            events_base = f"http://127.0.0.1:{events_port}"
            wait_answering(f"{events_base}/drivers/{drivers[0][0]}/events", events, "the events process")
        how = (
            f"event stream ({shlex.split(events_command)[0]} on its own port) + polling every "
            f"{args.safety_refresh:.0f} s while it is open"
            if events_base
            else "POLLING ONLY: "
            + ("--no-stream" if args.no_stream else "the stack serves no event stream (no events:/push: in Procfile)")
        )
        client = (
            "the pages' requests in this process, their streams in a second one (both counted)"
            if events_base and args.streams_apart
            else "in this process"
        )
        print(
            f"open_dashboards: gunicorn 2 workers × 4 threads (worker connections "
            f"{args.worker_connections or 'of config/gunicorn_conf.py'}), production settings, PostgreSQL, Redis; "
            f"{how}; "
            f"refresh {REFRESH_SECONDS:.0f} s; pages opened over {args.ramp:.0f} s; {args.seconds:.0f} s measured "
            f"per line after a {args.warmup:.0f} s warm-up; {os.cpu_count()} cores (server CPU: % of one core); "
            f"client: {client}",
            flush=True,
        )
        asyncio.run(measure(args, drivers, base, events_base, servers))
    finally:
        for process in reversed(servers):
            stop(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
