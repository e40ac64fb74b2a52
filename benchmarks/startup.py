"""Time to first paint and peak RSS: `supatui` against a bare Textual app, started the same way.

    python benchmarks/startup.py [--runs 7]

Both run as real commands in a pseudo-terminal (100x30): the clock starts at spawn and stops
when the first frame's marker text has been drawn; one second later Ctrl+Q quits. Peak RSS is
the process's own high-water mark (VmHWM in /proc, last value read while it ran), so the
node/npm children that step detection may start are not counted. Medians of alternating
runs; the ratio is supatui / bare (target <= 1.3).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE_APP = '''
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App[int]):
    def compose(self):
        yield Header()
        yield Static("Bare app ready")
        yield Footer()

Bare().run()
'''


def measure(argv: list[str], marker: bytes, env: dict[str, str], timeout: float = 30) -> tuple[float, float]:
    """(seconds to first paint, peak RSS MiB) of one run under a pty."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=env["BENCH_CWD"],
                            start_new_session=True)
    os.close(slave)
    seen = b""
    painted: float | None = None
    usage = None
    quit_at = 0.0
    hwm = 0.0
    deadline = started + timeout
    while time.perf_counter() < deadline and usage is None:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
            if painted is None and marker in seen.replace(b"\x1b", b""):
                painted = time.perf_counter() - started
                quit_at = time.perf_counter() + 1.0  # let background startup work run, then quit
        if painted is not None and quit_at and time.perf_counter() >= quit_at:
            quit_at = 0.0
            os.write(master, b"\x11")  # Ctrl+Q
        hwm = _vm_hwm(proc.pid) or hwm
        pid, _, rusage = os.wait4(proc.pid, os.WNOHANG)  # poll() would reap it and lose the rusage
        if pid:
            usage = rusage
    if usage is None:
        os.kill(proc.pid, signal.SIGKILL)  # not proc.kill(): it polls, and would reap the child
        _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped above
    os.close(master)
    if painted is None:
        raise SystemExit(f"{argv[0]}: no first paint within {timeout}s; output tail: {seen[-400:]!r}")
    return painted, hwm or usage.ru_maxrss / 1024


def _vm_hwm(pid: int) -> float:
    """The process's own peak RSS in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return 0.0
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="supatui-bench-") as tmp_name:
        tmp = Path(tmp_name)
        bare = tmp / "bare_app.py"
        bare.write_text(BARE_APP)
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30", BENCH_CWD=str(tmp),
                   SUPATUI_HOME=str(tmp / "home"), PYTHONPATH=str(ROOT))
        env.pop("NO_COLOR", None)
        cases = {
            "bare textual": ([sys.executable, str(bare)], b"Bare app ready"),
            "supatui": ([sys.executable, "-m", "supatui", "--dir", str(tmp / "hello-prisma")], b"Continue"),
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (argv, marker) in cases.items():
                results[name].append(measure(argv, marker, env))
    paint = {name: statistics.median(r[0] for r in runs) for name, runs in results.items()}
    rss = {name: statistics.median(r[1] for r in runs) for name, runs in results.items()}
    print(f"{'':14} {'first paint':>12} {'peak RSS':>10}   (median of {args.runs} runs, 100x30 pty)")
    for name in cases:
        print(f"{name:14} {paint[name] * 1000:>9.0f} ms {rss[name]:>7.1f} MiB")
    print(f"{'ratio':14} {paint['supatui'] / paint['bare textual']:>11.2f}x {rss['supatui'] / rss['bare textual']:>9.2f}x"
          "   (target <= 1.3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
