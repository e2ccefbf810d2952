"""The process runner behind `make run`: honcho's manager, and a clear end when a process dies.

`python -m simulator.supervisor --procfile Procfile web worker ...` starts the named Procfile entries (each line
labelled `web.1 |` ...) and, like honcho, stops all of them when one exits. It then says which process ended
the run and why: its exit code or signal and its last lines of output, and exits non-zero. Ctrl-C or SIGTERM stops
everything without that message. Processes are not restarted: the local Kafka broker and the simulator keep
their state in memory, so a restart would only hide the failure behind a half-reset system.

Kept free of Django so the runner stays small: it imports only honcho.
"""

import argparse
import collections
import datetime
import os
import queue
import signal
import sys

from honcho import environ
from honcho.manager import KILL_WAIT, Manager
from honcho.printer import Printer

TAIL_LINES = 15


class TailPrinter(Printer):
    """honcho's printer that also keeps the last lines of each process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tails = collections.defaultdict(lambda: collections.deque(maxlen=TAIL_LINES))

    def write(self, message):
        data = message.data.decode("utf-8", "replace") if isinstance(message.data, bytes) else message.data
        self.tails[message.name].extend(data.splitlines())
        super().write(message)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


class StackManager(Manager):
    """honcho's Manager, with the first process that stopped on its own remembered and reported.

    The loop is honcho 2.0's `Manager.loop`, plus `self.culprit`: (name, returncode) of the first process that
    stopped while nobody had asked it to.
    """

    def __init__(self, printer):
        super().__init__(printer)
        self.culprit = None

    def loop(self):
        def _terminate(signum, frame):
            self._system_print(f"{signal.Signals(signum).name} received: stopping every process\n")
            self.returncode = 128 + signum
            self.terminate()

        signal.signal(signal.SIGTERM, _terminate)
        signal.signal(signal.SIGINT, _terminate)
        self._start()
        exit_now = False
        exit_start = None
        while True:
            # honcho waits 0.1 s; every message wakes the wait anyway, so while everything runs 1 s is as prompt and
            # costs the idle stack a tenth of the wake-ups (issue 12). Stopping, 0.1 s as in honcho.
            stopping = exit_now or exit_start is not None or self._terminating
            try:
                msg = self.events.get(timeout=0.1 if stopping else 1.0)
            except queue.Empty:
                if exit_now:
                    break
            else:
                if msg.type == "line":
                    self._printer.write(msg)
                elif msg.type == "start":
                    self._processes[msg.name]["pid"] = msg.data["pid"]
                    self._system_print(f"{msg.name} started (pid={msg.data['pid']})\n")
                elif msg.type == "stop":
                    returncode = msg.data["returncode"]
                    self._processes[msg.name]["returncode"] = returncode
                    if self.culprit is None and not self._terminating:
                        self.culprit = (msg.name, returncode)
                        self._system_print(
                            f"{msg.name} {describe_exit(returncode)} on its own: stopping every other process\n"
                        )
                    else:
                        self._system_print(f"{msg.name} stopped ({describe_exit(returncode)})\n")
            if self._all_started() and self._all_stopped():
                exit_now = True
            if exit_start is None and self._all_started() and self._any_stopped():
                exit_start = self._clock.now()
                self.terminate()
            if exit_start is not None and self._clock.now() - exit_start > datetime.timedelta(seconds=KILL_WAIT):
                self.kill()
        if self.culprit is not None:
            name, returncode = self.culprit
            self.returncode = returncode if returncode > 0 else 1
            tail = list(self._printer.tails.get(name, ()))
            self._system_print(
                f"make run stopped: {name} {describe_exit(returncode)} on its own, so every other process was "
                f"stopped. Its last lines of output:\n"
            )
            for line in tail:
                self._system_print(f"    {name} | {line}\n")
        elif self.returncode is None:
            self.returncode = 0


def _read_env(path: str) -> dict:
    """The .env file beside the Procfile, as honcho's `start` reads it (its values win over the environment)."""
    try:
        with open(path) as env_file:
            return environ.parse(env_file.read())
    except OSError:
        return {}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procfile", required=True)
    parser.add_argument("--app-root", default=".")
    parser.add_argument("processes", nargs="+")
    args = parser.parse_args(argv)
    with open(args.procfile) as procfile_file:
        procfile = environ.parse_procfile(procfile_file.read())
    missing = [name for name in args.processes if name not in procfile.processes]
    if missing:
        print(f"Not in {args.procfile}: {', '.join(missing)}", file=sys.stderr)
        return 2
    printer = TailPrinter(sys.stdout, colour=True, prefix=True)
    manager = StackManager(printer)
    selected = collections.OrderedDict((name, procfile.processes[name]) for name in args.processes)
    app_env = _read_env(os.path.join(args.app_root, ".env"))
    for process in environ.expand_processes(selected, env=app_env):
        manager.add_process(process.name, process.cmd, quiet=process.quiet, env={**os.environ, **process.env})
    manager.loop()
    return manager.returncode


if __name__ == "__main__":
    sys.exit(main())
