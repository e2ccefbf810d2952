"""Soak test of `make run` (a script that prints figures, not a test of the suite).

Starts `make run` with its embedded defaults (SQLite database and Celery broker, local tansu broker, the central
simulator) in a scratch DJANGO_VAR_DIR on free ports, so a developer's `var/` and running stack are left alone.
For --minutes, two demo drivers (alice, bob; tokens from the `seed_demo` table `make run` prints) take turns: request
a charge, wait until CHARGING, charge --charge-seconds, stop (must answer 200 STOPPED), and wait until central's
ticket is in the history, which must say STOPPED. Meanwhile it polls the dashboard's /health every second (longest
outage), watches the runner's output (a process exiting, CRITICAL lines, tracebacks), and measures the resident
memory of the whole process tree at start and end. It then stops the stack with SIGINT (Ctrl-C) to its process
group, checks that no process and no port is left, prints a summary, and exits 1 if anything failed.

    .venv/bin/python bench/soak.py [--minutes 30] [--charge-seconds 3] [--log FILE] [--keep-var]
"""

import collections
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from _support import BASE_DIR, arguments, free_port

DRIVERS = {"driver-alice": "CP-003", "driver-bob": "CP-011"}
STREAM_DRIVER = "driver-alice"
TOKEN_LINE = re.compile(r"^(driver-\w+)\s+\S+\s+\S+\s+([0-9a-f]{40})\b")
# The runner's lines (simulator/supervisor.py): a process that ended while nobody asked it to.
EXIT_LINE = re.compile(r"system\s*\|\s*(\S+) (exited with code -?\d+|was killed by \S+) on its own")
STOPPED_LINE = re.compile(r"system\s*\|\s*(\S+) stopped")
# Not passed on to `make run`: the soak uses the embedded defaults only.
DROPPED_ENV = {
    "DATABASE_URL",
    "REDIS_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "CENTRAL_HTTP_URL",
    "SIMULATE_CENTRAL",
    "DJANGO_SETTINGS_MODULE",
    "TEST_DB_NAME",
    "STATIC_ROOT",
    "CELERY_BEAT_SCHEDULE",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
}


class Failure(Exception):
    pass


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def process_tree(root: int) -> dict[int, int]:
    """pid -> resident memory in bytes, for `root` and every process under it (read from /proc)."""
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(entry))
    tree, todo = {}, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/statm") as statm:
                tree[pid] = int(statm.read().split()[1]) * page
            todo.extend(children.get(pid, ()))
    return tree


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Soak:
    def __init__(self, args):
        self.args = args
        self.var_dir = Path(tempfile.mkdtemp(prefix="soak-var-"))
        self.ports = {"DRIVER_DASHBOARD_PORT": free_port(), "SIMULATOR_PORT": free_port(), "KAFKA_LOCAL_PORT": 0}
        while self.ports["KAFKA_LOCAL_PORT"] in (0, *list(self.ports.values())[:2]):
            self.ports["KAFKA_LOCAL_PORT"] = free_port()
        self.ports["DRIVER_DASHBOARD_EVENTS_PORT"] = 0
        while self.ports["DRIVER_DASHBOARD_EVENTS_PORT"] in (0, *list(self.ports.values())[:3]):
            self.ports["DRIVER_DASHBOARD_EVENTS_PORT"] = free_port()
        self.events = f"http://127.0.0.1:{self.ports['DRIVER_DASHBOARD_EVENTS_PORT']}"
        self.web = f"http://127.0.0.1:{self.ports['DRIVER_DASHBOARD_PORT']}"
        self.central = f"http://127.0.0.1:{self.ports['SIMULATOR_PORT']}"
        default_log = Path(tempfile.gettempdir()) / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.log"
        self.log_path = Path(args.log) if args.log else default_log
        self.tokens: dict[str, str] = {}
        self.process = None
        self.stopping = threading.Event()
        self.done = threading.Event()
        self.exits: list[str] = []
        self.critical: list[str] = []
        self.tracebacks: list[str] = []
        self.error_lines = 0
        self.cycles = 0
        self.failures: list[str] = []
        self.stop_409_completed = 0
        self.health_checks = 0
        self.health_failures = 0
        self.longest_outage = 0.0
        self.outages = 0
        self.seen_pids: set[int] = set()
        # alice's live event stream, held open (and resumed with Last-Event-ID) for the whole soak.
        self.stream_events: collections.Counter = collections.Counter()
        self.stream_connects = 0
        self.stream_errors: list[str] = []
        self.rss_start = self.rss_end = (0, 0)

    # --- the stack ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
        env.update({key: str(port) for key, port in self.ports.items()})
        env.update(
            {
                "DJANGO_VAR_DIR": str(self.var_dir),
                "CELERY_BEAT_SCHEDULE": str(self.var_dir / "celerybeat-schedule"),
                # The simulator on our port, and still started although a central URL is now set.
                "CENTRAL_HTTP_URL": self.central,
                "SIMULATE_CENTRAL": "1",
            }
        )
        self.log = open(self.log_path, "w", buffering=1)  # noqa: SIM115 (closed in finish)
        self.process = subprocess.Popen(
            ["make", "run"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        threading.Thread(target=self._read_output, daemon=True).start()

    def _read_output(self) -> None:
        for line in self.process.stdout:
            self.log.write(line)
            if match := TOKEN_LINE.match(line):
                self.tokens[match.group(1)] = match.group(2)
            if self.stopping.is_set():
                continue
            if match := EXIT_LINE.search(line) or STOPPED_LINE.search(line):
                self.exits.append(line.strip())
            if "CRITICAL" in line or "Unrecoverable" in line:
                self.critical.append(line.strip())
            if "Traceback (most recent call last)" in line:
                self.tracebacks.append(line.strip())
            if " ERROR " in line:
                self.error_lines += 1
        self.done.set()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"make run exited with {self.process.returncode} before it was ready")
            if (
                len(self.tokens) >= len(DRIVERS)
                and self._up(f"{self.web}/health")
                and self._up(f"{self.central}/health")
                and port_open(self.ports["DRIVER_DASHBOARD_EVENTS_PORT"])
            ):
                return
            time.sleep(0.5)
        raise Failure(f"make run not ready in {timeout:.0f} s (tokens: {sorted(self.tokens)})")

    @staticmethod
    def _up(url: str) -> bool:
        try:
            return requests.get(url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def rss(self) -> tuple[int, int]:
        tree = process_tree(self.process.pid)
        self.seen_pids.update(tree)
        return sum(tree.values()), len(tree)

    def stop(self) -> list[str]:
        """SIGINT to the process group (Ctrl-C), then check that nothing is left. Returns what was left."""
        self.seen_pids.update(process_tree(self.process.pid))
        self.stopping.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        left = []
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            left.append(f"make still running 60 s after SIGINT (pid {self.process.pid})")
        self.done.wait(10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
            any(alive(pid) for pid in self.seen_pids) or any(port_open(p) for p in self.ports.values())
        ):
            time.sleep(0.5)
        for pid in sorted(pid for pid in self.seen_pids if alive(pid)):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                args = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
                left.append(f"process {pid} left: {args[:120]}")
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)  # one of ours, started by this soak
        left += [f"port {port} ({name}) still open" for name, port in self.ports.items() if port_open(port)]
        return left

    # --- health and the drivers -------------------------------------------------------------------------------

    def watch_health(self, until: float) -> None:
        down_since = None
        while time.monotonic() < until and not self.stopping.is_set():
            started = time.monotonic()
            self.health_checks += 1
            if self._up(f"{self.web}/health"):
                if down_since is not None:
                    self.longest_outage = max(self.longest_outage, time.monotonic() - down_since)
                    down_since = None
            else:
                self.health_failures += 1
                if down_since is None:
                    down_since = started
                    self.outages += 1
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        if down_since is not None:
            self.longest_outage = max(self.longest_outage, time.monotonic() - down_since)

    def watch_stream(self, driver: str, until: float) -> None:
        """Hold `driver`'s event stream open as a page would: count the events, reconnect with Last-Event-ID."""
        last_id = None
        while time.monotonic() < until and not self.stopping.is_set():
            headers = {"Authorization": f"Token {self.tokens[driver]}", "Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            try:
                with requests.get(
                    f"{self.events}/drivers/{driver}/events", headers=headers, stream=True, timeout=(5, 30)
                ) as response:
                    if response.status_code != 200:
                        self.stream_errors.append(f"HTTP {response.status_code}")
                        time.sleep(2)
                        continue
                    self.stream_connects += 1
                    for line in response.iter_lines(decode_unicode=True):
                        if line.startswith("id: "):
                            last_id = line[4:]
                        elif line.startswith("event: "):
                            self.stream_events[line[7:]] += 1
                        if time.monotonic() >= until or self.stopping.is_set():
                            return
            except requests.RequestException as error:
                self.stream_errors.append(type(error).__name__)
                time.sleep(2)

    def api(self, driver: str, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Token {self.tokens[driver]}"}
        return requests.request(method, f"{self.web}{path}", headers=headers, timeout=10, **kwargs)

    def wait(self, what: str, check, timeout: float, interval: float = 0.2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(interval)
        raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")

    def current(self, driver: str):
        response = self.api(driver, "GET", f"/drivers/{driver}/sessions/current")
        if response.status_code != 200:
            raise Failure(f"GET current answered {response.status_code}: {response.text[:200]}")
        return response.json()

    def central_point(self, cp_id: str) -> dict:
        points = requests.get(f"{self.central}/cp", timeout=5).json()["charging_points"]
        return next(point for point in points if point["cp_id"] == cp_id)

    def cycle(self, driver: str, cp_id: str) -> None:
        response = self.api(driver, "POST", f"/drivers/{driver}/requests", json={"cp_id": cp_id, "vehicle_id": "soak"})
        if response.status_code != 202:
            raise Failure(f"request answered {response.status_code}: {response.text[:200]}")
        request_id = response.json()["request_id"]

        def charging():
            current = self.current(driver)
            if current is None or current["request_id"] != request_id:
                raise Failure(f"request {request_id} gone from current: {current}")
            if current["status"] in {"FAILED", "COMPLETED", "STOPPED", "CANCELLED", "DENIED"}:
                raise Failure(f"request {request_id} ended {current['status']} before charging")
            return current if current["status"] == "CHARGING" else None

        session = self.wait(f"{request_id} CHARGING", charging, 30)
        time.sleep(self.args.charge_seconds)
        session_id = session["session_id"]
        response = self.api(driver, "POST", f"/drivers/{driver}/sessions/{session_id}/stop")
        if response.status_code == 409 and "already COMPLETED" in response.text:
            self.stop_409_completed += 1
            raise Failure(f"stop of {session_id} answered 409: {response.text[:200]}")
        if response.status_code != 200 or response.json().get("status") != "STOPPED":
            raise Failure(f"stop of {session_id} answered {response.status_code}: {response.text[:200]}")

        def ticket_in_history():
            point = self.central_point(cp_id)
            if point["current_session"] is not None:
                return None
            history = self.api(driver, "GET", f"/drivers/{driver}/sessions/history?limit=5").json()
            entry = next((h for h in history if h["session_id"] == session_id), None)
            telemetry = point.get("telemetry") or {}
            if entry and telemetry.get("session_id") == session_id and entry["energy_kwh"] == telemetry.get("kwh"):
                return entry
            return None

        final = self.wait(f"central's ticket for {session_id} in the history", ticket_in_history, 20)
        if final["status"] != "STOPPED":
            raise Failure(f"{session_id} ended {final['status']} in the history, not STOPPED")
        self.wait(f"{driver} to have no current session", lambda: self.current(driver) is None or None, 10)

    def recover(self, driver: str) -> None:
        """After a failed cycle: stop whatever the driver still has open, so the next cycle starts clean."""
        with contextlib.suppress(Exception):
            current = self.current(driver)
            if current and current.get("session_id") and current["status"] in {"APPROVED", "CHARGING"}:
                self.api(driver, "POST", f"/drivers/{driver}/sessions/{current['session_id']}/stop")
            elif current and current["status"] == "PENDING":
                self.api(driver, "DELETE", f"/drivers/{driver}/requests/{current['request_id']}")
            self.wait(f"{driver} to have no current session", lambda: self.current(driver) is None or None, 60, 1)

    def drive(self, until: float) -> None:
        turn = 0
        drivers = list(DRIVERS.items())
        while time.monotonic() < until and not self.exits:
            driver, cp_id = drivers[turn % len(drivers)]
            turn += 1
            try:
                self.cycle(driver, cp_id)
                self.cycles += 1
            except (Failure, requests.RequestException, KeyError, ValueError) as error:
                self.failures.append(f"{time.strftime('%H:%M:%S')} {driver}: {error}")
                print(f"  failure: {self.failures[-1]}", flush=True)
                self.recover(driver)
            if turn % 20 == 0:
                print(f"  {time.strftime('%H:%M:%S')} {self.cycles} cycles, {len(self.failures)} failures", flush=True)


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--charge-seconds", type=float, default=3)
    parser.add_argument("--log", help="where to write the output of make run (default: /tmp/soak-<time>.log)")
    parser.add_argument("--keep-var", action="store_true", help="keep the scratch DJANGO_VAR_DIR")
    args = parser.parse_args()
    soak = Soak(args)
    command = " ".join([Path(sys.executable).name, *sys.argv])
    print(f"soak: make run in {soak.var_dir}, web {soak.web}, central {soak.central}, log {soak.log_path}", flush=True)
    problems: list[str] = []
    left: list[str] = []
    started = time.monotonic()
    soak.start()
    try:
        soak.wait_ready(300)
        ready_after = time.monotonic() - started
        soak.rss_start = soak.rss()
        print(f"soak: ready after {ready_after:.0f} s; driving for {args.minutes:g} min", flush=True)
        until = time.monotonic() + args.minutes * 60
        health = threading.Thread(target=soak.watch_health, args=(until,), daemon=True)
        health.start()
        stream = threading.Thread(target=soak.watch_stream, args=(STREAM_DRIVER, until), daemon=True)
        stream.start()
        soak.drive(until)
        health.join(5)
        stream.join(35)
        soak.rss_end = soak.rss()
    except Failure as error:
        problems.append(str(error))
    finally:
        left = soak.stop()
        soak.log.close()
    elapsed = time.monotonic() - started
    problems += [f"process exit: {line}" for line in soak.exits]
    problems += [f"critical: {line}" for line in soak.critical[:10]]
    problems += [f"traceback in the output (see the log): {line}" for line in soak.tracebacks[:10]]
    problems += left

    mib = 1024 * 1024
    print(f"\nsoak summary ({command})")
    print(f"  ran {elapsed / 60:.1f} min in total, {args.minutes:g} min of driving")
    print(f"  cycles completed: {soak.cycles}; failed cycles: {len(soak.failures)}")
    print(f"  stops answered 409 'already COMPLETED' (the stop race): {soak.stop_409_completed}")
    print(
        f"  /health: {soak.health_checks} checks, {soak.health_failures} failed, {soak.outages} outages, "
        f"longest outage {soak.longest_outage:.1f} s"
    )
    print(
        f"  RSS of the process tree: start {soak.rss_start[0] / mib:.0f} MiB ({soak.rss_start[1]} processes), "
        f"end {soak.rss_end[0] / mib:.0f} MiB ({soak.rss_end[1]} processes)"
    )
    print(
        f"  {STREAM_DRIVER}'s event stream: {sum(soak.stream_events.values())} events "
        f"({', '.join(f'{n} {kind}' for kind, n in sorted(soak.stream_events.items()))}), "
        f"{soak.stream_connects} connection(s), errors: {', '.join(soak.stream_errors) or 'none'}"
    )
    if not soak.stream_events["session"]:
        problems.append(f"no session event reached {STREAM_DRIVER}'s stream")
    print(f"  processes that exited on their own: {len(soak.exits)}; CRITICAL lines: {len(soak.critical)}")
    print(f"  tracebacks: {len(soak.tracebacks)}; ERROR lines: {soak.error_lines}")
    print(f"  after SIGINT: {'nothing left behind' if not left else '; '.join(left)}")
    for failure in soak.failures[:20]:
        print(f"  failed cycle: {failure}")
    for problem in problems:
        print(f"  problem: {problem}")
    print(f"  log: {soak.log_path}")
    if not args.keep_var:
        shutil.rmtree(soak.var_dir, ignore_errors=True)
    return 1 if (problems or soak.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
