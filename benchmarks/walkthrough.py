"""Wall time of `supatui run --yes --sandbox`, side by side with the same commands in a plain shell script.

    python benchmarks/walkthrough.py [--rounds 2]

The baseline is the `supatui-replay.sh` that supatui itself writes: the same SQL (psql), the same
npm/npx commands and the same files, with no UI, no plan, no verification. Both run against the same
sandbox with a warm npm cache; the database is reset (the prisma role and its tables dropped) before
every run, and runs alternate A B B A … so drift hits both. Target: ratio <= 1.05x.
Needs the Prisma schema engine: set PRISMA_SCHEMA_ENGINE_BINARY where it cannot be downloaded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from supatui.core import secrets  # noqa: E402
from supatui.sandbox import Sandbox  # noqa: E402


def reset_database(session_url: str) -> None:
    """Drop what a walkthrough leaves in the database, so every run starts from the same state."""
    with psycopg.connect(session_url, autocommit=True) as conn:
        if conn.execute("select 1 from pg_roles where rolname = 'prisma'").fetchone():
            conn.execute("drop owned by prisma cascade")
            conn.execute("drop role prisma")


def run_supatui(workdir: Path, env: dict[str, str]) -> tuple[float, Path]:
    project = workdir / "hello-prisma"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "supatui", "run", "--yes", "--sandbox", "--dir", str(project)],
                            cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"supatui run failed:\n{result.stdout[-2000:]}\n{result.stderr}")
    return seconds, project


def run_script(script: Path, workdir: Path, env: dict[str, str]) -> float:
    project = workdir / "hello-prisma"
    project.mkdir(parents=True)
    started = time.perf_counter()
    result = subprocess.run(["bash", str(script)], cwd=project, env={**env, "SUPATUI_PROJECT_DIR": str(project)},
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"the plain script failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs (default 2)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="supatui-bench-"))
    os.chmod(home, 0o755)
    env = {**os.environ, "SUPATUI_HOME": str(home / "home")}
    os.environ["SUPATUI_HOME"] = env["SUPATUI_HOME"]
    sandbox = Sandbox()
    info = sandbox.start()
    password = secrets.generate_password()
    env.update(SUPATUI_PRISMA_PASSWORD=password, SUPATUI_DB_PASSWORD=info.postgres_password)
    try:
        # Warm-up: fills the npm cache and writes the replay script used as the baseline.
        reset_database(info.session_url)
        _, first = run_supatui(home / "warmup", env)
        script = home / "replay.sh"
        shutil.copy(first / "supatui-replay.sh", script)
        timings: dict[str, list[float]] = {"supatui": [], "script": []}
        order = ["supatui", "script", "script", "supatui"] * ((args.rounds + 1) // 2)
        for index, which in enumerate(order[: 2 * args.rounds]):
            reset_database(info.session_url)
            workdir = home / f"run{index}"
            if which == "supatui":
                timings["supatui"].append(run_supatui(workdir, env)[0])
            else:
                timings["script"].append(run_script(script, workdir, env))
            print(f"  {which:<8} {timings[which][-1]:6.1f} s", flush=True)
        ours, base = statistics.median(timings["supatui"]), statistics.median(timings["script"])
        print(f"supatui run --yes --sandbox: {ours:.1f} s (median of {len(timings['supatui'])})")
        print(f"plain shell script:          {base:.1f} s (median of {len(timings['script'])})")
        print(f"ratio: {ours / base:.2f}x (target <= 1.05x)")
    finally:
        reset_database(info.session_url)
        sandbox.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
