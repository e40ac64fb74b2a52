"""Time (and CPU instructions) to first paint, and peak RSS: `supatui` against a bare Textual app.

    python benchmarks/startup.py [--runs 9]            # wall clock + RSS, paired runs
    python benchmarks/startup.py --instructions [--runs 3]   # CPU instructions under valgrind

Both sides start the same way, as `python -m <module>` in a pseudo-terminal (100x30), with warm
bytecode (both are compiled to .pyc, and each is run once unmeasured, before the first round), so
neither pays the compiler. The bare app is a module file too (Header, a Static, Footer).

Wall clock: the clock starts at spawn and stops when the first frame's marker text reaches the pty;
one second later Ctrl+Q quits. Peak RSS is the process's own high-water mark (VmHWM in /proc,
last value read while it ran). Runs are paired: bare and supatui back to back (the order alternates),
the ratio is taken per pair, and the median of the pair ratios is reported, so a load change on the
2 shared cores between rounds moves both sides of a pair alike.

Instructions: each side runs under `valgrind --tool=cachegrind --cache-sim=no` (Ir: every user-space
instruction of the process, all threads). A `sitecustomize` module on PYTHONPATH (written here, used
only by this benchmark) wraps Textual's `LinuxDriver.write`: the first write that contains the
marker is the first frame, and the process `os._exit`s right after it, so both sides stop at the same
point and no shutdown is counted. Instruction counts are stable to ~0.5% between runs whatever the load.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import fcntl
import os
import re
import select
import shutil
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

BARE_APP = '''"""The baseline: the smallest Textual app with what the wizard's first screen has (Header, text, Footer)."""
from textual.app import App
from textual.widgets import Footer, Header, Static


class Bare(App[int]):
    def compose(self):
        yield Header()
        yield Static("Bare app ready")
        yield Footer()


Bare().run()
'''

# Used by --instructions only: stop the process right after the driver is handed its first frame.
STOP_HOOK = '''import os
import sys

_MARKER = os.environ.get("BENCH_STOP_MARKER")


class _Finder:
    """Wrap LinuxDriver.write when Textual loads it (nothing is imported earlier than the app would)."""

    def find_spec(self, name, path=None, target=None):
        if name != "textual.drivers.linux_driver":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        loader = spec.loader
        exec_module = loader.exec_module

        def patched(module):
            exec_module(module)
            write = module.LinuxDriver.write

            def stop_at_first_frame(self, data):
                write(self, data)
                if _MARKER in data:
                    os._exit(0)

            module.LinuxDriver.write = stop_at_first_frame

        loader.exec_module = patched
        return spec


if _MARKER:
    sys.meta_path.insert(0, _Finder())
'''


def _spawn(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[bytes], int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True)
    os.close(slave)
    return proc, master


def measure(argv: list[str], marker: bytes, env: dict[str, str], cwd: Path, timeout: float = 30) -> tuple[float, float]:
    """(seconds to first paint, peak RSS MiB) of one run under a pty."""
    started = time.perf_counter()
    proc, master = _spawn(argv, env, cwd)
    seen = b""
    painted: float | None = None
    usage = None
    quit_at = 0.0
    hwm = 0.0
    deadline = started + timeout
    while time.perf_counter() < deadline and usage is None:
        ready, _, _ = select.select([master], [], [], 0.02)
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
        raise SystemExit(f"{argv}: no first paint within {timeout}s; output tail: {seen[-400:]!r}")
    return painted, hwm or usage.ru_maxrss / 1024


def instructions(argv: list[str], marker: bytes, env: dict[str, str], cwd: Path, log: Path) -> int:
    """CPU instructions (valgrind Ir) from exec to the first frame handed to the driver."""
    vg = ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--log-file={log}", "--cachegrind-out-file=/dev/null"]
    proc, master = _spawn(vg + argv, dict(env, BENCH_STOP_MARKER=marker.decode()), cwd)
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            with contextlib.suppress(OSError):
                os.read(master, 65536)  # keep the pty drained
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    os.close(master)
    found = re.search(r"I\s+refs:\s+([\d,]+)", log.read_text())
    if proc.returncode != 0 or not found:
        raise SystemExit(f"{argv}: no instruction count (exit {proc.returncode}); see {log}")
    return int(found.group(1).replace(",", ""))


def _vm_hwm(pid: int) -> float:
    """The process's own peak RSS in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return 0.0
    return 0.0


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="pairs (default 9; 3 with --instructions)")
    parser.add_argument("--instructions", action="store_true", help="count CPU instructions under valgrind")
    args = parser.parse_args()
    runs = args.runs or (3 if args.instructions else 9)
    if args.instructions and not shutil.which("valgrind"):
        raise SystemExit("--instructions needs valgrind on PATH (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="supatui-bench-") as tmp_name:
        tmp = Path(tmp_name)
        mods = tmp / "mods"
        mods.mkdir()
        (mods / "bare_app.py").write_text(BARE_APP)
        if args.instructions:
            (mods / "sitecustomize.py").write_text(STOP_HOOK)
        for folder in (mods, ROOT / "supatui", *(Path(p) for p in sys.path if p.endswith("site-packages"))):
            compileall.compile_dir(folder, quiet=2, workers=1)
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30",
                   SUPATUI_HOME=str(tmp / "home"), PYTHONPATH=f"{mods}{os.pathsep}{ROOT}")
        for name in ("NO_COLOR", "TEXTUAL", "TEXTUAL_LOG", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        cases = {
            "bare textual": ([sys.executable, "-m", "bare_app"], b"Bare app ready"),
            "supatui": ([sys.executable, "-m", "supatui", "--dir", str(tmp / "hello-prisma")], b"This guide connects"),
        }
        for argv, marker in cases.values():  # warm-up: page cache and any .pyc still missing
            measure(argv, marker, env, tmp)
        print(f"{runs} pairs, load before: {_load()}", flush=True)
        if args.instructions:
            return _report_instructions(cases, env, tmp, runs)
        return _report_wall(cases, env, tmp, runs)


def _report_wall(cases: dict[str, tuple[list[str], bytes]], env: dict[str, str], tmp: Path, runs: int) -> int:
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    names = list(cases)
    for round_ in range(runs):
        for name in names if round_ % 2 == 0 else reversed(names):
            argv, marker = cases[name]
            results[name].append(measure(argv, marker, env, tmp))
    bare, sup = results["bare textual"], results["supatui"]
    paint_ratios = [s[0] / b[0] for b, s in zip(bare, sup, strict=True)]
    rss_ratios = [s[1] / b[1] for b, s in zip(bare, sup, strict=True)]
    print(f"{'':14} {'first paint':>12} {'peak RSS':>10}   (medians of {runs} paired runs, 100x30 pty)")
    for name, rows in results.items():
        print(f"{name:14} {statistics.median(r[0] for r in rows) * 1000:>9.0f} ms "
              f"{statistics.median(r[1] for r in rows):>7.1f} MiB")
    print(f"{'pair ratio':14} {statistics.median(paint_ratios):>11.2f}x {statistics.median(rss_ratios):>9.2f}x"
          f"   (median of pair ratios; first paint per pair {min(paint_ratios):.2f}-{max(paint_ratios):.2f}x;"
          " target <= 1.3x)")
    print(f"load after: {_load()}")
    return 0


def _report_instructions(cases: dict[str, tuple[list[str], bytes]], env: dict[str, str], tmp: Path, runs: int) -> int:
    counts: dict[str, list[int]] = {name: [] for name in cases}
    for round_ in range(runs):
        for name, (argv, marker) in cases.items():
            counts[name].append(instructions(argv, marker, env, tmp, tmp / f"vg-{round_}-{name[0]}.log"))
    ratios = [s / b for b, s in zip(counts["bare textual"], counts["supatui"], strict=True)]
    print(f"{'':14} {'instructions to first frame':>28}   (median of {runs} runs under cachegrind)")
    for name, values in counts.items():
        print(f"{name:14} {statistics.median(values) / 1e6:>24.0f} M   ({', '.join(f'{v / 1e6:.0f}' for v in values)})")
    print(f"{'pair ratio':14} {statistics.median(ratios):>25.2f}x   (target <= 1.3x)")
    print(f"load after: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
