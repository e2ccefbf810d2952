"""What `make run` does when one of its processes dies (simulator/supervisor.py): it stops every other process and
says which one ended the run and why (exit code or signal, its last lines), and exits non-zero. Ctrl-C / SIGTERM
stops everything without blaming anyone."""

import re
import signal
import subprocess
import sys
import time

from django.conf import settings

from tests.simulator.test_commands import BASE_ENV


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _pids(output: str, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"{name}\.1 started \(pid=(\d+)\)", output)]


def _supervise(tmp_path, procfile: str, *names: str, timeout: float = 30):
    path = tmp_path / "Procfile"
    path.write_text(procfile)
    return subprocess.run(
        [sys.executable, "-m", "simulator.supervisor", "--procfile", str(path), "--app-root", str(tmp_path), *names],
        cwd=settings.BASE_DIR,
        env=BASE_ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_process_that_exits_stops_the_others_and_is_named_with_its_code_and_last_lines(tmp_path):
    result = _supervise(
        tmp_path,
        "sleeper: sleep 60\ncrasher: echo starting; sleep 0.5; echo 'Unrecoverable error: boom' >&2; exit 3\n",
        "sleeper",
        "crasher",
    )
    assert result.returncode == 3, result.stdout
    assert "crasher.1 exited with code 3 on its own: stopping every other process" in result.stdout
    assert "sleeper.1 stopped (was killed by SIGTERM)" in result.stdout
    final = result.stdout[result.stdout.index("make run stopped:") :]
    assert final.startswith("make run stopped: crasher.1 exited with code 3 on its own")
    assert "crasher.1 | starting" in final and "crasher.1 | Unrecoverable error: boom" in final
    assert not _pid_alive(_pids(result.stdout, "sleeper")[0])


def test_a_process_killed_by_a_signal_is_named_with_the_signal(tmp_path):
    result = _supervise(tmp_path, "sleeper: sleep 60\nvictim: sleep 0.5; kill -9 $$\n", "sleeper", "victim")
    assert result.returncode == 1, result.stdout
    assert "make run stopped: victim.1 was killed by SIGKILL on its own" in result.stdout


def test_sigterm_stops_every_process_without_blaming_one(tmp_path):
    path = tmp_path / "Procfile"
    path.write_text("one: sleep 60\ntwo: sleep 60\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator.supervisor", "--procfile", str(path), "one", "two"],
        cwd=settings.BASE_DIR,
        env=BASE_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    while len([line for line in lines if " started (pid=" in line]) < 2:
        lines.append(process.stdout.readline())
        assert process.poll() is None, "".join(lines)
    process.send_signal(signal.SIGTERM)
    output = "".join(lines) + process.communicate(timeout=20)[0]
    assert process.returncode == 143, output
    assert "SIGTERM received: stopping every process" in output
    assert "make run stopped" not in output and "on its own" not in output
    for pid in _pids(output, "one") + _pids(output, "two"):
        assert not _pid_alive(pid)


def test_run_stack_names_the_process_that_died(tmp_path):
    """Through `manage.py run_stack` (what `make run` calls), with every process of the plan a stand-in."""
    procfile = tmp_path / "Procfile"
    lines = [f"{name}: sleep 60" for name in ("kafka", "web", "events", "beat", "consumer", "simulator")]
    lines.append("worker: sleep 1; echo 'CRITICAL celery.worker: Unrecoverable error: boom'; exit 3")
    procfile.write_text("\n".join(lines) + "\n")
    env = {
        **BASE_ENV,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_VAR_DIR": str(tmp_path),
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "run_stack", "--procfile", str(procfile)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "make run stopped: worker.1 exited with code 3 on its own" in result.stdout
    assert "worker.1 | CRITICAL celery.worker: Unrecoverable error: boom" in result.stdout
    assert time.monotonic() - started < 30
    for name in ("kafka", "web", "events", "beat", "consumer", "simulator"):
        assert f"{name}.1 stopped (was killed by SIGTERM)" in result.stdout
        assert not any(_pid_alive(pid) for pid in _pids(result.stdout, name))
