"""Sandbox start time, side by side with a bare initdb + pg_ctl start of the same binaries.

    python benchmarks/sandbox_start.py [--runs 5]

cold  = nothing in SUPATUI_HOME -> first query answered through the router's session port (the machine's
        cached template data dir is copied; it is built once, before the measured runs)
scratch = the same with SUPATUI_SANDBOX_TEMPLATE=0: initdb + Supabase's bootstrap every time
warm  = stopped sandbox -> first query through the router
bare  = initdb + pg_ctl -w start (same binaries, same run-as user) -> first query on the server's port
cli   = the same, timed around `python -m supatui sandbox start --json` as a user runs it
Targets: cold <= 3 s and <= 1.3x bare; warm <= 1 s. Medians of --runs runs, interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from supatui.sandbox import Sandbox, runas  # noqa: E402
from supatui.sandbox.runas import server_env  # noqa: E402


def first_query(url: str) -> None:
    with psycopg.connect(url, connect_timeout=10) as conn:
        conn.execute("select 1")


def bare(root: Path) -> float:
    who = runas.current()
    bin_dir = runas.stage_bin_dir(runas.find_bin_dir(), who)
    work = root / "bare"
    work.mkdir(mode=0o700)
    who.chown(work)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = server_env(work)
    started = time.perf_counter()
    runas.run([str(bin_dir / "initdb"), "-D", str(work / "data"), "-U", "supabase_admin", "--auth=trust", "-N"],
              who, cwd=work, env=env).check_returncode()
    runas.run([str(bin_dir / "pg_ctl"), "-D", str(work / "data"), "-l", str(work / "log"), "-w", "-o",
               f"-p {port} -k {work} -c listen_addresses=127.0.0.1", "start"], who, cwd=work, env=env).check_returncode()
    first_query(f"postgresql://supabase_admin@127.0.0.1:{port}/postgres")
    seconds = time.perf_counter() - started
    runas.run([str(bin_dir / "pg_ctl"), "-D", str(work / "data"), "-m", "immediate", "-w", "stop"], who, cwd=work, env=env)
    shutil.rmtree(work, ignore_errors=True)
    return seconds


def sandbox(root: Path) -> tuple[float, float]:
    home = root / "api"
    home.mkdir(mode=0o755)
    box = Sandbox(home, ports="auto")
    started = time.perf_counter()
    info = box.start()
    first_query(info.session_url)
    cold = time.perf_counter() - started
    box.stop()
    started = time.perf_counter()
    info = box.start()
    first_query(info.session_url)
    warm = time.perf_counter() - started
    box.reset()
    shutil.rmtree(home, ignore_errors=True)
    return cold, warm


def cli(root: Path) -> tuple[float, float]:
    home = root / "cli"
    home.mkdir(mode=0o755)
    env = dict(os.environ, SUPATUI_HOME=str(home), SUPATUI_SANDBOX_PORTS="auto")
    argv = [sys.executable, "-m", "supatui", "sandbox"]
    times = []
    for _ in range(2):
        started = time.perf_counter()
        out = subprocess.run([*argv, "start", "--json"], env=env, capture_output=True, text=True, check=True).stdout
        first_query(json.loads(out)["session_url"])
        times.append(time.perf_counter() - started)
        subprocess.run([*argv, "stop"], env=env, capture_output=True, check=True)
    subprocess.run([*argv, "reset"], env=env, capture_output=True, check=True)
    shutil.rmtree(home, ignore_errors=True)
    return times[0], times[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # no prompts, no real keyring
    rows: dict[str, list[float]] = {"bare": [], "cold": [], "scratch": [], "warm": [], "cli cold": [], "cli warm": []}
    root = Path(tempfile.mkdtemp(prefix="supatui-bench-"))
    os.chmod(root, 0o755)
    try:
        bare(root)  # stage binaries / warm the page cache once, unmeasured
        sandbox(root)  # builds the template data dir if this machine has none yet, unmeasured
        for _ in range(args.runs):
            rows["bare"].append(bare(root))
            cold, warm = sandbox(root)
            rows["cold"].append(cold)
            rows["warm"].append(warm)
            os.environ["SUPATUI_SANDBOX_TEMPLATE"] = "0"
            rows["scratch"].append(sandbox(root)[0])
            del os.environ["SUPATUI_SANDBOX_TEMPLATE"]
            cli_cold, cli_warm = cli(root)
            rows["cli cold"].append(cli_cold)
            rows["cli warm"].append(cli_warm)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    median = {name: statistics.median(values) for name, values in rows.items()}
    print(f"{'':10} {'median':>8} {'min':>7} {'max':>7}   ({args.runs} runs, {os.cpu_count()} CPUs)")
    for name, values in rows.items():
        print(f"{name:10} {median[name]:7.3f}s {min(values):6.3f}s {max(values):6.3f}s")
    print(f"cold / bare     = {median['cold'] / median['bare']:.2f}x   (target <= 1.3x, cold <= 3 s)")
    print(f"scratch / bare  = {median['scratch'] / median['bare']:.2f}x   (no template: initdb + bootstrap)")
    print(f"cli cold / bare = {median['cli cold'] / median['bare']:.2f}x")
    print(f"warm            = {median['warm']:.3f} s   (target <= 1 s); cli warm {median['cli warm']:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
