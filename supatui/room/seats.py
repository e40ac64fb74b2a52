"""Seat clusters: a template data dir made once, copied per seat.

Roles are per cluster and step 1 creates one, so seats cannot share a cluster (notes
workshop §4.4). The template is initdb'd and given Supabase's role layout once (the sandbox's
``Cluster.bootstrap``); a seat is a ``cp -a`` of it (≈0.2 s, ≈8× faster than initdb, §4.3), started
with small memory settings, and given its own ``postgres`` password over its private socket.
The transaction port is the router's own pool per seat (supatui/router/pool.py); seats made by an
older supatui may still have a PgBouncer, which is stopped with the seat and no longer started.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from supatui.core import secrets
from supatui.core.errors import SupatuiError
from supatui.room.model import Seat
from supatui.sandbox import pgbouncer
from supatui.sandbox.cluster import Cluster, scram_secret, socket_dir
from supatui.sandbox.pgbouncer import PgBouncer
from supatui.sandbox.runas import RunAs

# Small clusters: 30 idle ones measured ≈185 MiB PSS with these (notes workshop §4.3). One
# connection costs ~2 MiB; 40 covers Prisma's pool, migrate's shadow database and the router.
SEAT_SETTINGS = """
# supatui room seat (small on purpose; a throwaway workshop database)
shared_buffers = 16MB
max_connections = 40
max_worker_processes = 2
max_parallel_workers = 0
max_parallel_workers_per_gather = 0
max_parallel_maintenance_workers = 0
wal_level = minimal
max_wal_senders = 0
wal_buffers = 512kB
autovacuum_naptime = 5min
log_connections = on
log_line_prefix = '%m '
"""
TEMPLATE_MARKER = ".supatui-template"


class SeatCluster:
    """The sandbox's Cluster and PgBouncer for one seat, and how to (re)make its data dir."""

    def __init__(self, seat: Seat, bin_dir: Path, who: RunAs) -> None:
        self.seat = seat
        self.who = who
        self.cluster = Cluster(Path(seat.cluster_dir), bin_dir, who, seat.pg_port)
        binary = pgbouncer.find() or "pgbouncer"
        self.bouncer = PgBouncer(binary, Path(seat.cluster_dir), socket_dir(Path(seat.cluster_dir), seat.pg_port),
                                 seat.pg_port, seat.pgbouncer_port, who)

    def create(self, template: Path, pgbouncer_scram: str | None) -> None:
        """Copy the template's data dir (preserving its owner) and write PgBouncer's config."""
        self.cluster.prepare_dirs()
        shutil.rmtree(self.cluster.data, ignore_errors=True)
        copy_tree(template / "data", self.cluster.data)
        if self.seat.pgbouncer_port and pgbouncer_scram is not None:
            self.bouncer.configure(pgbouncer_scram)

    def start(self, postgres_password: str | None) -> None:
        """Start PostgreSQL; with a password, set it as the seat's ``postgres`` password."""
        if self.cluster.pid() is None:
            self.cluster.start()
        if postgres_password is not None:
            self.cluster.set_role_password("postgres", scram_secret(postgres_password))

    def stop(self) -> bool:
        was = self.bouncer.stop() if self.seat.pgbouncer_port else False
        return self.cluster.stop() or was

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(socket_dir(Path(self.seat.cluster_dir), self.seat.pg_port), ignore_errors=True)
        shutil.rmtree(self.seat.cluster_dir, ignore_errors=True)

    def running(self) -> bool:
        return self.cluster.pid() is not None

    def pids(self) -> list[int]:
        found = [self.cluster.pid(), self.bouncer.pid() if self.seat.pgbouncer_port else None]
        return [pid for pid in found if pid]


def copy_tree(src: Path, dest: Path) -> None:
    """``cp -a`` (owner, modes, sparse files kept); shutil as the fallback where cp is missing."""
    cp = shutil.which("cp")
    if cp:
        reflink = ["--reflink=auto"] if sys.platform.startswith("linux") else []  # GNU cp: CoW where the disk can
        proc = subprocess.run([cp, "-a", *reflink, str(src), str(dest)], capture_output=True, text=True, check=False)
        if proc.returncode == 0:
            return
        raise SupatuiError(f"Copying the room's template cluster failed: {proc.stderr.strip()}",
                           "Check free disk space; `supatui room start` again retries.", code="room-copy")
    shutil.copytree(src, dest, symlinks=True)


def ensure_template(template_dir: Path, bin_dir: Path, who: RunAs, port: int) -> str:
    """Make the template once (initdb + Supabase's roles + seat settings); return its pgbouncer verifier."""
    marker = template_dir / TEMPLATE_MARKER
    scram_file = template_dir / "pgbouncer.scram"
    if marker.exists() and marker.read_text().strip() == str(bin_dir) and scram_file.exists():
        return scram_file.read_text().strip()
    shutil.rmtree(template_dir, ignore_errors=True)
    cluster = Cluster(template_dir, bin_dir, who, port)
    cluster.prepare_dirs()
    cluster.initdb()
    with open(cluster.data / "postgresql.conf", "a") as conf:
        conf.write(SEAT_SETTINGS)
    pgb_scram = scram_secret(secrets.generate_password(32))
    try:
        cluster.start()
        cluster.bootstrap(secrets.generate_password(32), pgb_scram)  # each seat sets its own postgres password
    finally:
        cluster.stop()
    shutil.rmtree(socket_dir(template_dir, port), ignore_errors=True)
    (cluster.data / "postmaster.pid").unlink(missing_ok=True)
    fd = os.open(scram_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pgb_scram + "\n")
    marker.write_text(str(bin_dir) + "\n")
    return pgb_scram
