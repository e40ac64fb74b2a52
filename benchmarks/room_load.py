"""A room under load: K attendees walk the guide at once, against a single walkthrough side by side.

    python benchmarks/room_load.py [--seats 30] [--concurrent 4] [--prepared PATH] [--keep]

1. ``room start --seats N`` in a private SUPATUI_HOME: wall time, and the room's memory (PSS of
   every seat's postgres (and, for a seat made by an older supatui, PgBouncer) processes, from /proc/<pid>/smaps_rollup; PostgreSQL alone
   reported too, against the 400 MiB target for 30 seats).
2. baseline: one `supatui --join … run --yes --json` on seat 1, alone.
3. load: K of them at once on seats 2..K+1 (bounded: K ≤ seats-1; each has a 15 min timeout).
Per step: p50/p95 of the K runs against the single run, and errors. All runs share npm's cache
(~/.npm). With ``--prepared DIR`` each attendee starts from a copy of a Prisma project whose
packages are installed (the project step is then a check), which isolates the database steps.
Needs the offline Prisma engine when the native one cannot be downloaded: set
PRISMA_SCHEMA_ENGINE_BINARY (see ../shared/tools/prisma-offline-engine).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = ("role", "project", "connection", "migrations", "client", "test")


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            kids = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            kids = []
        todo += [int(kid) for kid in kids]
    return found


def room_memory(room: object) -> tuple[float, float]:
    """(PostgreSQL MiB, PgBouncer MiB) PSS summed over every seat."""
    from pathlib import Path as P

    from supatui.room.seats import SeatCluster
    from supatui.sandbox.runas import RunAs

    state = room.state()  # type: ignore[attr-defined]
    pg = bouncer = 0
    for seat in state.seats:
        unit = SeatCluster(seat, P(), RunAs("", 0, 0, False))
        postmaster = unit.cluster.pid()
        if postmaster:
            pg += sum(pss_kib(pid) for pid in children(postmaster))
        bpid = unit.bouncer.pid() if seat.pgbouncer_port else None
        if bpid:
            bouncer += pss_kib(bpid)
    return pg / 1024, bouncer / 1024


def walk(join: str, project: Path, env: dict[str, str]) -> dict[str, object]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "supatui", "--join", join, "--dir", str(project), "run", "--yes",
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                          stdin=subprocess.DEVNULL)
    begun: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        kind, step = event.get("kind"), event.get("step")
        if kind == "step_started":
            begun[step] = event["at"]
        elif kind in ("step_done", "step_skipped") and step in begun:
            seconds[step] = event["at"] - begun[step]
    return {"ok": proc.returncode == 0, "seconds": seconds, "total": time.monotonic() - started,
            "error": "" if proc.returncode == 0 else proc.stderr.strip().splitlines()[-1:]}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def prepare(base: Path, prepared: Path | None, name: str) -> Path:
    project = base / name / "hello-prisma"
    if prepared is None:
        return project
    project.mkdir(parents=True)
    for item in prepared.iterdir():
        if item.name in (".env", ".supatui", "generated", "index.ts") or item.name.startswith("supatui-"):
            continue
        if item.name == "node_modules":
            subprocess.run(["cp", "-al", str(item), str(project / item.name)], check=True)
        elif item.is_dir():
            shutil.copytree(item, project / item.name, symlinks=True)
        else:
            shutil.copy2(item, project / item.name)
    return project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--prepared", type=Path, default=None)
    parser.add_argument("--start-only", action="store_true", help="only measure start time and memory")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    k = max(1, min(args.concurrent, args.seats - 1))
    work = Path(tempfile.mkdtemp(prefix="room-load-"))
    os.chmod(work, 0o755)
    os.environ["SUPATUI_HOME"] = str(work / "home")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    from supatui.room.manager import Room

    room = Room(ports="auto")
    try:
        started = time.monotonic()
        info = room.start(args.seats)
        start_s = time.monotonic() - started
        pg_mib, bouncer_mib = room_memory(room)
        print(f"room start: {args.seats} seats in {start_s:.1f} s (cold: a new room, its template initdb included)")
        print(f"idle memory: PostgreSQL {pg_mib:.0f} MiB PSS ({pg_mib / args.seats:.1f} per seat), "
              f"PgBouncer {bouncer_mib:.0f} MiB PSS; target < 400 MiB PostgreSQL for 30 seats")
        if args.start_only:
            room.stop()
            again = time.monotonic()
            room.start(args.seats)
            print(f"room restart (stop, then start of the stopped room): {time.monotonic() - again:.1f} s")
            return 0
        env = dict(os.environ)
        single = walk(info.seats[0].join, prepare(work, args.prepared, "single"), env)
        print(f"single run: ok={single['ok']} total {single['total']:.1f} s {single['error'] or ''}")
        with ThreadPoolExecutor(max_workers=k) as pool:
            runs = list(pool.map(lambda n: walk(info.seats[n].join, prepare(work, args.prepared, f"a{n}"), env),
                                 range(1, k + 1)))
        pg_after, bouncer_after = room_memory(room)
        errors = [run for run in runs if not run["ok"]]
        print(f"{k} concurrent runs: {len(errors)} errors; room after: PostgreSQL {pg_after:.0f} MiB, "
              f"PgBouncer {bouncer_after:.0f} MiB")
        print(f"{'step':<11} {'single s':>9} {'p50 s':>8} {'p95 s':>8} {'p95/single':>11}")
        for step in STEPS:
            values = [float(run["seconds"][step]) for run in runs if step in run["seconds"]]  # type: ignore[index]
            base = float(single["seconds"].get(step, 0.0))  # type: ignore[union-attr]
            if not values:
                continue
            p50, p95 = pct(values, 0.5), pct(values, 0.95)
            ratio = f"{p95 / base:.2f}x" if base > 0.05 else "-"
            print(f"{step:<11} {base:>9.2f} {p50:>8.2f} {p95:>8.2f} {ratio:>11}")
        totals = [float(run["total"]) for run in runs]  # type: ignore[arg-type]
        print(f"{'total':<11} {float(single['total']):>9.1f} {statistics.median(totals):>8.1f} "  # type: ignore[arg-type]
              f"{pct(totals, 0.95):>8.1f}")
        for run in errors:
            print("error:", run["error"])
        return 0 if not errors else 1
    finally:
        room.stop(delete=not args.keep)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
