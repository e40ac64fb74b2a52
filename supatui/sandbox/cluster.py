"""One PostgreSQL cluster: initdb, start, wait, bootstrap Supabase's roles, stop.

Lean on purpose: ``initdb -N`` and ``fsync=off`` (a crash of the *machine* can lose sandbox data,
which `supatui sandbox reset` recreates), but ``synchronous_commit=on``: a commit's WAL reaches the
OS before it is acknowledged, so a crash of PostgreSQL itself (kill -9) loses nothing. Readiness is
polled from ``postmaster.pid`` every few milliseconds rather than pg_ctl's 100 ms ticks, and only a
file naming *our* postmaster counts (a crashed server leaves a stale one saying "ready").
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import signal
import subprocess
import time
from pathlib import Path

from supatui.core.errors import SupatuiError
from supatui.sandbox import extensions, roles
from supatui.sandbox.runas import RunAs, run, server_env

RESET_HINT = "Run `supatui sandbox reset` to wipe the sandbox and start fresh (its data is deleted)."
SERVER_SETTINGS = {  # also given at every start, so clusters made with older settings get these
    "fsync": "off",  # no fsync: only a machine crash can lose sandbox data (`reset` recreates it)
    "synchronous_commit": "on",  # WAL written to the OS at commit: a PostgreSQL crash loses no acknowledged commit
    "full_page_writes": "off",  # torn pages need an OS crash; a process crash leaves whole pages in the page cache
    "password_encryption": "scram-sha-256",
}
INITDB_FLAGS = ("-U", "supabase_admin", "--auth=trust", "-E", "UTF8", "--no-locale", "-N", "--no-instructions")
STALE_RETRY_S = 10  # a crashed postmaster's backends may hold its shared memory for a moment
HBA = """\
# supatui sandbox. The socket dir is private to the server's OS user, so local connections are
# trusted (bootstrap as supabase_admin, PgBouncer's auth_user); TCP always needs a password.
local   all   all                 trust
host    all   all   127.0.0.1/32  scram-sha-256
"""


def scram_secret(password: str, iterations: int = 4096) -> str:
    """PostgreSQL's SCRAM-SHA-256 verifier, so no plain password goes into SQL text or server logs."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    b64 = base64.b64encode
    return f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}${b64(stored_key).decode()}:{b64(server_key).decode()}"


class Cluster:
    """The data dir ``<cluster_dir>/data``, socket dir ``<cluster_dir>/run``, log ``<cluster_dir>/postgres.log``."""

    def __init__(self, cluster_dir: Path, bin_dir: Path, who: RunAs, port: int) -> None:
        self.dir = cluster_dir
        self.data = cluster_dir / "data"
        self.run_dir = socket_dir(cluster_dir, port)
        self.log = cluster_dir / "postgres.log"
        self.bin = bin_dir
        self.who = who
        self.port = port
        self._proc: subprocess.Popen[bytes] | None = None

    # -- state ---------------------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def pid(self) -> int | None:
        """The postmaster's pid when it is alive."""
        try:
            first = (self.data / "postmaster.pid").read_text().split("\n", 1)[0]
            pid = int(first)
        except (OSError, ValueError):
            return None
        return pid if pid_alive(pid) and not _foreign(pid) else None

    # -- lifecycle -------------------------------------------------------------------------------
    def prepare_dirs(self) -> None:
        for path in (self.dir, self.run_dir):
            if path == self.run_dir and path.exists() and path.stat().st_uid != (self.who.uid if self.who.switch else
                                                                              os.getuid()):
                raise SupatuiError(f"The sandbox's socket folder {path} belongs to another user.",
                                   "Remove it, or set SUPATUI_HOME to a shorter path.")
            path.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o700)
            self.who.chown(path)

    def initdb(self) -> None:
        argv = [str(self.bin / "initdb"), "-D", str(self.data), *INITDB_FLAGS]
        for key, value in SERVER_SETTINGS.items():
            argv += ["-c", f"{key}={value}"]
        proc = run(argv, self.who, cwd=self.dir, env=server_env(self.dir))
        if proc.returncode != 0:
            raise SupatuiError(f"initdb failed: {_tail(proc.stdout + proc.stderr)}",
                               "Check free disk space and permissions of the sandbox folder; then " + RESET_HINT[0].lower()
                               + RESET_HINT[1:], code="sandbox-initdb")
        hba = self.data / "pg_hba.conf"
        hba.write_text(HBA)
        self.who.chown(hba)

    def start(self, timeout: float = 30) -> None:
        """Start postgres and return once it accepts connections (ours, not a crashed server's stale pid file)."""
        deadline = time.monotonic() + timeout
        stale_until = time.monotonic() + STALE_RETRY_S
        pid_file = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError):  # names a live program that is not postgres (pid reuse)
            if _foreign(int(pid_file.read_text().split("\n", 1)[0])):
                pid_file.unlink()
        while True:
            log_start = self.log.stat().st_size if self.log.exists() else 0
            proc = self._proc = self._spawn()
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    break
                if self._ready(proc.pid):
                    return
                time.sleep(0.004)
            else:
                self.stop()
                with contextlib.suppress(OSError, subprocess.TimeoutExpired):  # too early for postmaster.pid
                    proc.kill()
                    proc.wait(timeout=5)
                raise SupatuiError(f"PostgreSQL did not become ready within {timeout:.0f} s.",
                                   f"See {self.log}. If it keeps failing: " + RESET_HINT, code="sandbox-start")
            self._proc = None
            if "pre-existing shared memory block" in self._log_since(log_start) and time.monotonic() < stale_until:
                time.sleep(0.05)  # a killed server's backends still exit: try again in a moment
                continue
            raise self._start_error()

    def _spawn(self) -> subprocess.Popen[bytes]:
        argv = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.run_dir),
                "-c", "listen_addresses=127.0.0.1"]
        for key, value in {**SERVER_SETTINGS, **extensions.server_options(self.dir, self.bin, self.data)}.items():
            argv += ["-c", f"{key}={value}"]
        log = open(self.log, "ab")  # noqa: SIM115 - handed to the child
        try:
            self.who.chown(self.log)
            return subprocess.Popen(argv, cwd=self.dir, env=server_env(self.dir), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                    **self.who.popen_kwargs())
        except PermissionError as exc:
            raise SupatuiError(f"Cannot start PostgreSQL as '{self.who.name}': {exc.strerror}.",
                               "Check that the sandbox folder and binaries are reachable by that user.") from None
        finally:
            log.close()

    def _ready(self, pid: int) -> bool:
        """postmaster.pid names this postmaster and says it accepts connections."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) > 7 and lines[0].strip() == str(pid) and lines[7].strip() == "ready"

    def _log_since(self, offset: int) -> str:
        try:
            with open(self.log, "rb") as handle:
                handle.seek(offset)
                return handle.read().decode(errors="replace")
        except OSError:
            return ""

    def _start_error(self) -> SupatuiError:
        tail = _tail(self.log.read_text(errors="replace") if self.log.exists() else "")
        if "Address already in use" in tail:
            return SupatuiError(f"The sandbox's database port {self.port} is already in use by another program.",
                                f"Stop that program (see `lsof -i :{self.port}`), or run `supatui sandbox reset` to pick "
                                "new ports.", code="sandbox-port")
        return SupatuiError(f"The sandbox's PostgreSQL did not start; its data directory {self.data} looks damaged "
                            f"({tail or 'no log output'}).", RESET_HINT, code="sandbox-corrupt")

    def bootstrap(self, postgres_password: str, pgbouncer_verifier: str) -> None:
        """Replay Supabase's role layout as supabase_admin over the private socket."""
        import psycopg
        from psycopg import sql

        statement = sql.SQL(roles.BOOTSTRAP).format(postgres_pw=sql.Literal(scram_secret(postgres_password)),
                                                    pgbouncer_pw=sql.Literal(pgbouncer_verifier))
        try:
            with psycopg.connect(host=str(self.run_dir), port=self.port, user="supabase_admin", dbname="postgres",
                                 connect_timeout=10) as conn:
                conn.execute(statement)
        except psycopg.Error as exc:
            raise SupatuiError(f"Setting up Supabase's roles failed: {exc}", RESET_HINT, code="sandbox-bootstrap") from None

    def set_role_password(self, role: str, verifier: str) -> None:
        """Set a role's SCRAM verifier as supabase_admin (used when the keyring lost the password)."""
        self.set_role_passwords({role: verifier})

    def set_role_passwords(self, verifiers: dict[str, str]) -> None:
        """Set SCRAM verifiers as supabase_admin over the private socket, in one connection."""
        import psycopg
        from psycopg import sql

        try:
            with psycopg.connect(host=str(self.run_dir), port=self.port, user="supabase_admin", dbname="postgres",
                                 connect_timeout=10, autocommit=True) as conn:
                for role, verifier in verifiers.items():
                    conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(role),
                                                                            sql.Literal(verifier)))
        except psycopg.Error as exc:
            raise SupatuiError(f"Could not set the sandbox's {', '.join(verifiers)} password: {exc}", RESET_HINT) from None

    def stop(self, timeout: float = 15) -> bool:
        """Fast shutdown (SIGINT); False when it was not running."""
        pid = self.pid()
        if pid is None:
            self._reap()
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        if not wait_gone(pid, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
            wait_gone(pid, 5)
        self._reap()
        return True

    def _reap(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=1)
            self._proc = None


def build_data_dir(cluster_dir: Path, bin_dir: Path, who: RunAs, postgres_password: str,
                   pgbouncer_verifier: str) -> Path:
    """initdb + Supabase's bootstrap + a clean stop: ``<cluster_dir>/data``, ready to be copied (workshop seats).

    A copy is a new cluster dir whose ``data`` is this one: start it with ``Cluster(copy_dir, …).start()``
    and give it its own passwords with ``set_role_password("postgres", scram_secret(pw))`` and the same
    for ``pgbouncer``; the extension overlay beside it is written at that first start.
    """
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    cluster = Cluster(cluster_dir, bin_dir, who, port)
    cluster.prepare_dirs()
    cluster.initdb()
    cluster.start()
    try:
        cluster.bootstrap(postgres_password, pgbouncer_verifier)
    finally:
        cluster.stop()
    return cluster.data


def socket_dir(cluster_dir: Path, port: int) -> Path:
    """``<cluster>/run``, or a short private dir in the temp folder when that path is too long for a socket."""
    preferred = cluster_dir / "run"
    if len(str(preferred / f".s.PGSQL.{port}")) <= 100:
        return preferred
    import tempfile

    key = hashlib.sha256(str(cluster_dir).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"supatui-{key}"


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (reaping it first when it is our own exited child)."""
    if pid <= 0:
        return False
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    except OSError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _foreign(pid: int) -> bool:
    """A live process that is certainly not a PostgreSQL server (Linux: its command line says so)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return bool(cmdline) and b"postgres" not in cmdline


def _zombie(pid: int) -> bool:
    """An exited process nobody reaped yet (its parent is another process, or an init that does not reap)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat_line.rpartition(")")[2].split()[:1] == ["Z"]


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.005)
    return not pid_alive(pid)


def _tail(text: str, lines: int = 3) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])
