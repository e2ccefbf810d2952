"""CPU of the idle stack, per process (a script that prints figures, not a test).

Starts `make run` as bench/soak.py does (embedded defaults, a scratch DJANGO_VAR_DIR, free ports), waits until
it is ready and has settled, then reads each process's CPU time from /proc/<pid>/stat at the start and the end
of --seconds with nobody using the stack, prints % of one core per process, and stops the stack with SIGINT.

    .venv/bin/python bench/idle_cpu.py [--seconds 60] [--settle 15]
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import arguments  # noqa: E402
from soak import Soak, process_tree  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def name_of(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = [part.decode(errors="replace") for part in cmdline.read().split(b"\0") if part]
    except OSError:
        return "?"
    words = [Path(argv[0]).name, *argv[1:]] if argv else ["?"]
    return " ".join(words)[:90]


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--settle", type=float, default=15, help="wait this long after ready before measuring")
    parser.add_argument("--log", help="where to write the output of make run")
    args = parser.parse_args()
    stack = Soak(argparse.Namespace(log=args.log, minutes=0, charge_seconds=0, keep_var=False))
    print(f"idle_cpu: make run in {stack.var_dir}, log {stack.log_path}", flush=True)
    stack.start()
    try:
        stack.wait_ready(300)
        time.sleep(args.settle)
        pids = list(process_tree(stack.process.pid))
        before = {pid: cpu_seconds(pid) for pid in pids}
        started = time.monotonic()
        time.sleep(args.seconds)
        elapsed = time.monotonic() - started
        rows = []
        for pid in pids:
            end = cpu_seconds(pid)
            if end is not None and before[pid] is not None:
                rows.append(((end - before[pid]) / elapsed * 100, pid, name_of(pid)))
    finally:
        left = stack.stop()
    rows.sort(reverse=True)
    print(f"% of one core over {elapsed:.0f} s, idle (no page open, no session):")
    for share, pid, name in rows:
        print(f"  {share:5.2f} %  {pid:>7}  {name}")
    broker = sum(share for share, _, name in rows if name.startswith("tansu"))
    print(f"  total {sum(r[0] for r in rows):.2f} % ({broker:.2f} % the broker, tansu)")
    if left:
        print("left running:", *left, sep="\n  ")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
