"""Wall time of the walkthrough from an offline kit, side by side with the same walkthrough online.

    python benchmarks/kit_walkthrough.py KIT_DIR [--rounds 1] [--engine PATH]

Both runs start cold (an empty npm cache and an empty Prisma engine cache) against the same sandbox,
the database reset before each, in the order A B B A … so drift hits both:
- online: `supatui run --yes --sandbox`, packages from the real npm registry;
- kit: `supatui run --yes --sandbox --kit KIT_DIR` with the registry and every proxy at a closed port.
Where Prisma's engine host is unreachable (these machines), the online run gets the engine through
PRISMA_SCHEMA_ENGINE_BINARY=--engine PATH (no download at all, which favours the online side a little).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from walkthrough import reset_database  # noqa: E402

from supatui.core import secrets  # noqa: E402
from supatui.sandbox import Sandbox  # noqa: E402


def _closed() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"


def run(workdir: Path, env: dict[str, str], kit: Path | None) -> float:
    workdir.mkdir(parents=True)
    env = {**env, "npm_config_cache": str(workdir / "npm-cache"), "XDG_CACHE_HOME": str(workdir / "xdg")}
    argv = [sys.executable, "-m", "supatui", "run", "--yes", "--sandbox", "--dir", str(workdir / "hello-prisma")]
    if kit is not None:
        closed = _closed()
        env = {k: v for k, v in env.items() if k != "PRISMA_SCHEMA_ENGINE_BINARY"}
        env.update(npm_config_registry=closed + "/", HTTP_PROXY=closed, HTTPS_PROXY=closed, http_proxy=closed,
                   https_proxy=closed)
        argv += ["--kit", str(kit)]
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{'kit' if kit else 'online'} run failed:\n{result.stdout[-2000:]}\n{result.stderr[-1000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kit", type=Path)
    parser.add_argument("--rounds", type=int, default=1, help="pairs of runs (default 1)")
    parser.add_argument("--engine", help="schema engine for the online run when binaries.prisma.sh is unreachable")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="supatui-kit-bench-"))
    os.chmod(home, 0o755)
    env = {**os.environ, "SUPATUI_HOME": str(home / "home")}
    if args.engine:
        env["PRISMA_SCHEMA_ENGINE_BINARY"] = args.engine
    os.environ["SUPATUI_HOME"] = env["SUPATUI_HOME"]
    sandbox = Sandbox()
    info = sandbox.start()
    env.update(SUPATUI_PRISMA_PASSWORD=secrets.generate_password(), SUPATUI_DB_PASSWORD=info.postgres_password)
    timings: dict[str, list[float]] = {"online": [], "kit": []}
    try:
        order = ["online", "kit", "kit", "online"] * ((args.rounds + 1) // 2)
        for index, which in enumerate(order[: 2 * args.rounds]):
            reset_database(info.session_url)
            seconds = run(home / f"run{index}", env, args.kit.resolve() if which == "kit" else None)
            timings[which].append(seconds)
            print(f"  {which:<7} {seconds:6.1f} s", flush=True)
        online, kit = statistics.median(timings["online"]), statistics.median(timings["kit"])
        print(f"online, cold caches:        {online:.1f} s (median of {len(timings['online'])})")
        print(f"offline kit, cold caches:   {kit:.1f} s (median of {len(timings['kit'])})")
        print(f"ratio kit/online: {kit / online:.2f}x")
    finally:
        reset_database(info.session_url)
        sandbox.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
