"""Router throughput, side by side: pgbench through the router's ports against PostgreSQL and PgBouncer themselves.

    python benchmarks/router.py [--rounds 3] [--seconds 5] [--clients 8] [--tls] [--targets postgres,session]

postgres    = pgbench -S -M simple on PostgreSQL's own port (no router: the baseline called "direct" in issue 13)
pgbouncer   = the same on PgBouncer's own port: a PgBouncer 1.x in transaction mode started here for the baseline
              only (pool size as the router's, server connections over PostgreSQL's Unix socket); the sandbox
              itself runs none since the router pools the transaction port itself
pgbouncer-session = a second PgBouncer, in session mode: the session port's hop (TCP in, Unix socket out, one
              server connection per client) done by a C pooler, as a reference for what any proxy costs here
session     = through the router's session port (user postgres.<ref>)
transaction = through the router's transaction port (the router's own transaction pool -> PostgreSQL)
direct      = through the router's direct port (the TLS terminator in front of PostgreSQL)
Targets (issue 13): session and direct >= 0.7x postgres; transaction >= 0.8x pgbouncer.
The session and direct rows also say their ratio to pgbouncer-session.
Plaintext (sslmode=disable) unless --tls, which runs every target with sslmode=require.
Rounds alternate the targets; the figures are medians of the rounds' tps. Also CPU time per transaction
(/proc): PostgreSQL's backends' (not for the pooled targets, whose backends stay open) and, for the router's ports,
the router's, which other programs' load moves far less than tps.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supatui.core import secrets  # noqa: E402
from supatui.sandbox import Sandbox, pgbouncer, ports, routercfg, runas  # noqa: E402
from supatui.sandbox.cluster import Cluster, scram_secret, socket_dir  # noqa: E402
from supatui.sandbox.model import State  # noqa: E402


def baseline_pgbouncer(state: State, mode: str = "transaction") -> pgbouncer.PgBouncer | None:
    """A PgBouncer in front of the sandbox's PostgreSQL, as the sandbox used to run one (None: not installed);
    mode "session": the same hop as the router's session port, written in C, as the reference for that port."""
    binary = pgbouncer.find()
    if binary is None:
        return None
    who = runas.current()
    cluster_dir = Path(state.cluster_dir)
    pg_port = state.pg_port or state.direct_port
    bouncer = pgbouncer.PgBouncer(binary, cluster_dir, socket_dir(cluster_dir, pg_port), pg_port, ports.free_port(),
                                  who, mode)
    verifier = scram_secret(secrets.generate_password(32))
    Cluster(cluster_dir, Path(), who, pg_port).set_role_password("pgbouncer", verifier)
    bouncer.configure(verifier)
    bouncer.start()
    return bouncer


ROUTED = ("session", "transaction", "direct")  # the targets that go through the router
POOLED = ("pgbouncer", "pgbouncer-session", "transaction")  # their server connections stay open between runs


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its reaped children so far (Linux /proc; 0 elsewhere): for the
    postmaster that includes every backend that has exited, so one pgbench run's backends once it is over."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def postmaster_pid(state: State) -> int:
    try:
        return int((Path(state.cluster_dir) / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def pgbench(port: int, user: str, password: str, args: list[str], tls: bool) -> tuple[float, int]:
    """(tps, transactions) of one pgbench run."""
    env = {**os.environ, "PGPASSWORD": password, "PGSSLMODE": "require" if tls else "disable"}
    proc = subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(port), "-U", user, *args, "postgres"],
                          env=env, capture_output=True, text=True, check=False)
    found = re.search(r"tps = ([\d.]+)", proc.stdout)
    count = re.search(r"transactions actually processed: (\d+)", proc.stdout)
    if proc.returncode != 0 or not found or not count:
        raise SystemExit(f"pgbench on port {port} failed: {proc.stderr.strip()[-400:]}")
    return float(found.group(1)), int(count.group(1))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--targets", default="", help="comma-separated subset, e.g. postgres,session,direct")
    opts = parser.parse_args()
    if shutil.which("pgbench") is None:
        raise SystemExit("pgbench is not installed (apt-get install postgresql-client)")
    home = Path(tempfile.mkdtemp(prefix="supatui-bench-router-"))
    os.chmod(home, 0o755)
    sandbox = Sandbox(home, ports="auto")
    bouncers: dict[str, pgbouncer.PgBouncer] = {}
    try:
        info = sandbox.start()
        state = State.load(sandbox.state_path)
        assert state is not None
        for mode in ("transaction", "session"):
            started = baseline_pgbouncer(state, mode)
            if started is not None:
                bouncers[mode] = started
        pw = info.postgres_password
        subprocess.run(["pgbench", "-i", "-q", "-s", "1", "-h", "127.0.0.1", "-p", str(info.direct_port), "-U", "postgres",
                        "postgres"], env={**os.environ, "PGPASSWORD": pw}, capture_output=True, check=True)
        targets = {"postgres": (state.pg_port or info.direct_port, "postgres"),
                   "session": (info.session_port, f"postgres.{info.ref}")}
        if "session" in bouncers:
            targets["pgbouncer-session"] = (bouncers["session"].port, "postgres")
        if "transaction" in bouncers:
            targets["pgbouncer"] = (bouncers["transaction"].port, "postgres")
        targets["transaction"] = (info.transaction_port, f"postgres.{info.ref}")
        if state.pg_port:
            targets["direct"] = (info.direct_port, "postgres")
        if opts.tls:  # PostgreSQL and PgBouncer here have no TLS of their own
            targets = {k: v for k, v in targets.items() if k not in ("postgres", "pgbouncer", "pgbouncer-session")}
        if opts.targets:
            targets = {k: v for k, v in targets.items() if k in opts.targets.split(",")}
        args = ["-S", "-M", "simple", "-c", str(opts.clients), "-j", "2", "-T", str(opts.seconds), "-n"]
        results: dict[str, list[float]] = {name: [] for name in targets}
        cpu: dict[str, list[float]] = {name: [] for name in targets}  # the router's CPU µs per transaction
        pg_cpu: dict[str, list[float]] = {name: [] for name in targets}  # PostgreSQL's (its backends')
        postmaster = postmaster_pid(state)
        for _ in range(opts.rounds):
            for name, (port, user) in targets.items():
                before, pg_before = cpu_seconds(state.router_pid), cpu_seconds(postmaster)
                tps, count = pgbench(port, user, pw, args, opts.tls)
                time.sleep(0.2)  # the backends have exited and been reaped: their CPU time is the postmaster's
                results[name].append(tps)
                cpu[name].append((cpu_seconds(state.router_pid) - before) * 1e6 / max(count, 1))
                pg_cpu[name].append((cpu_seconds(postmaster) - pg_before) * 1e6 / max(count, 1))
                print(f"  {name:17s} {tps:9.0f} tps  router {cpu[name][-1]:5.1f} µs/txn  PostgreSQL "
                      f"{pg_cpu[name][-1]:5.1f} µs/txn", file=sys.stderr)
        med = {name: statistics.median(values) for name, values in results.items()}
        print(f"pgbench -S -M simple -c {opts.clients}, {opts.rounds} alternating rounds of {opts.seconds} s (median tps)"
              + (", sslmode=require" if opts.tls else "") + f"; pool size {routercfg.POOL_SIZE}")
        base = med.get("postgres") or 0
        for name, value in med.items():
            ratio = f"{value / base:.2f}x postgres" if base else ""
            if name == "transaction" and "pgbouncer" in med:
                ratio += f", {value / med['pgbouncer']:.2f}x pgbouncer"
            if name in ("session", "direct") and "pgbouncer-session" in med:
                ratio += f", {value / med['pgbouncer-session']:.2f}x pgbouncer-session"
            # pooled backends outlive a run, so their CPU time is not reaped (not counted) by then
            spent = "" if name in POOLED else f"  CPU µs/txn: PostgreSQL {statistics.median(pg_cpu[name]):.1f}"
            if name in ROUTED:
                spent += f"{',' if spent else '  CPU µs/txn:'} router {statistics.median(cpu[name]):.1f}"
            print(f"{name:17s} {value:9.0f}  {ratio}{spent}")
    finally:
        for started in bouncers.values():
            started.stop()
        sandbox.stop()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
