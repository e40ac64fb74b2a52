"""PgBouncer in transaction mode behind the transaction port, as Supabase runs it.

Clients are authenticated with ``auth_query`` through Supabase's ``pgbouncer.get_auth`` (as the
``pgbouncer`` role), so a role created after start (the guide's ``prisma``) or a changed password
works at once, with no reload. The auth file holds only the ``pgbouncer`` role's SCRAM verifier,
never a plain password. Server connections go over the cluster's private socket, and PgBouncer listens
there too, so the router reaches it without TCP's overhead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from supatui.core.errors import SupatuiError
from supatui.sandbox.cluster import pid_alive, wait_gone
from supatui.sandbox.runas import RunAs, server_env

POOL_SIZE = 10


def find() -> str | None:
    """The pgbouncer binary, if the OS has one ($SUPATUI_PGBOUNCER overrides; "none" disables)."""
    override = os.environ.get("SUPATUI_PGBOUNCER")
    if override:
        return None if override == "none" else override
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer", "/opt/homebrew/bin/pgbouncer") if Path(p).exists()),
        None)


class PgBouncer:
    def __init__(self, binary: str, cluster_dir: Path, socket_dir: Path, pg_port: int, port: int, who: RunAs,
                 mode: str = "transaction") -> None:
        self.binary = binary
        self.mode = mode  # "session" only as benchmarks/router.py's reference for the session port
        self.dir = cluster_dir / ("pgbouncer" if mode == "transaction" else f"pgbouncer-{mode}")
        self.ini = self.dir / "pgbouncer.ini"
        self.userlist = self.dir / "userlist.txt"
        self.pidfile = self.dir / "pgbouncer.pid"
        self.log = self.dir / "pgbouncer.log"
        self.socket_dir = socket_dir
        self.pg_port = pg_port
        self.port = port
        self.who = who
        self._proc: subprocess.Popen[bytes] | None = None

    def configure(self, pgbouncer_scram: str | None) -> None:
        """Write the ini (and, on first start, the auth file with the pgbouncer role's verifier)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.who.chown(self.dir)
        ini = f"""\
[databases]
* = host={self.socket_dir} port={self.pg_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir = {self.socket_dir}
auth_type = scram-sha-256
auth_file = {self.userlist}
auth_user = pgbouncer
auth_query = select username, password from pgbouncer.get_auth($1)
pool_mode = {self.mode}
default_pool_size = {POOL_SIZE}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options,search_path
server_login_retry = 1
logfile = {self.log}
pidfile = {self.pidfile}
"""
        _write_private(self.ini, ini, self.who)
        if pgbouncer_scram is not None:
            _write_private(self.userlist, f'"pgbouncer" "{pgbouncer_scram}"\n', self.who)

    def pid(self) -> int | None:
        """The running PgBouncer's pid; None when the pid file names nothing alive, or (after a reboot, say)
        another program that has the old pid now, which must never be signalled."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        if not pid_alive(pid):
            return None
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists():
            with contextlib.suppress(OSError):
                return pid if b"pgbouncer" in cmdline.read_bytes() else None
        return pid

    def start(self, timeout: float = 10) -> None:
        """Start it and return once it listens (it needs no running PostgreSQL for that)."""
        self.spawn()
        self.wait_ready(timeout)

    def spawn(self) -> None:
        if not self.userlist.exists():
            raise SupatuiError("PgBouncer's auth file for the sandbox is missing.",
                               "Run `supatui sandbox reset` to set the sandbox up again.", code="sandbox-corrupt")
        with contextlib.suppress(FileNotFoundError):
            if self.pid() is None:
                self.pidfile.unlink()
        errors = open(self.dir / "stderr.log", "wb")  # noqa: SIM115 - handed to the child
        try:
            self._proc = subprocess.Popen([self.binary, "-q", str(self.ini)], cwd=self.dir, env=server_env(self.dir),
                                          stdin=subprocess.DEVNULL, stdout=errors, stderr=errors,
                                          start_new_session=True, **self.who.popen_kwargs())
        finally:
            errors.close()

    def wait_ready(self, timeout: float = 10) -> None:
        import socket

        assert self._proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                raise self._start_error()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.004)
        self.stop()
        raise SupatuiError("PgBouncer did not start listening in time.", f"See {self.log}.", code="sandbox-pgbouncer")

    def _start_error(self) -> SupatuiError:
        lines: list[str] = []
        for path in (self.dir / "stderr.log", self.log):
            if path.exists():
                lines += path.read_text(errors="replace").strip().splitlines()[-2:]
        detail = " | ".join(line.strip() for line in lines if line.strip())
        if "Address already in use" in detail:
            return SupatuiError(f"PgBouncer's port {self.port} is already in use.",
                                "Run `supatui sandbox start` again (it picks a new internal port).", code="sandbox-port")
        return SupatuiError(f"PgBouncer did not start: {detail or 'no output'}", f"See {self.log}.",
                            code="sandbox-pgbouncer")

    def stop(self) -> bool:
        pid = self._proc.pid if self._proc is not None and self._proc.poll() is None else self.pid()
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not wait_gone(pid, 5):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_gone(pid, 2)
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=1)
            self._proc = None
        return True


def _write_private(path: Path, text: str, who: RunAs) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
    who.chown(path)
