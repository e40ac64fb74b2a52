"""`Sandbox`: start, stop, status and reset of the local Supabase-shaped database.

Layout under ``$SUPATUI_HOME/sandbox``: ``state.json`` (ref, ports, pids; no secrets),
``router.json`` + ``router.log``, and ``cluster/`` (data dir, private socket dir, logs; owned by
the servers' OS user). As root, when that user cannot reach the state dir, the cluster lives
under ``/var/lib/supatui/clusters/<hash>`` instead; ``tls/`` holds the sandbox's CA and certificate.
PostgreSQL listens on an internal port (``State.pg_port``); the router serves the session, transaction
and direct ports with TLS, and is the transaction pooler itself (supatui/router/pool.py, as Supavisor is),
so transaction mode is the same on every machine (no PgBouncer needed). Cold start copies the cached
template data dir (template.py) or runs initdb, while the router and the CA get ready alongside.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from supatui.core import secrets
from supatui.core.errors import SupatuiError
from supatui.sandbox import extensions, pgbouncer, ports, routercfg, runas, template, tls
from supatui.sandbox.cluster import Cluster, pid_alive, scram_secret, socket_dir, wait_gone
from supatui.sandbox.model import SandboxInfo, SandboxStatus, State, sandbox_home
from supatui.sandbox.password import PasswordStore
from supatui.sandbox.pgbouncer import PgBouncer
from supatui.sandbox.ports import Ports

SUPABASE_MAJOR = 17  # new projects' PostgreSQL (supabase/postgres ansible/vars.yml: postgres_major 15, 17)


def _pg_port(state: State) -> int:
    """PostgreSQL's own port: internal behind the router's TLS direct port, or (older sandboxes) the direct port."""
    return state.pg_port or state.direct_port


class Sandbox:
    """The sandbox under ``home`` (default: $SUPATUI_HOME or the user data dir)."""

    def __init__(self, home: Path | None = None, *, ports: Ports | str | None = None) -> None:
        self.home = Path(home) if home is not None else sandbox_home()
        self.dir = self.home / "sandbox"
        self.state_path = self.dir / "state.json"
        self.password_file = self.dir / "postgres-password"
        self.passwords = PasswordStore(self.password_file, self.state_path)
        self.router_config = self.dir / "router.json"
        self.router_log = self.dir / "router.log"
        self._ports = ports if ports is not None else os.environ.get("SUPATUI_SANDBOX_PORTS") or None
        self._cluster: Cluster | None = None
        self._router: subprocess.Popen[bytes] | None = None

    # -- public API ------------------------------------------------------------------------------
    def start(self) -> SandboxInfo:
        """Start whatever is not running and return how to connect (idempotent)."""
        with self._lock():
            return self._start()

    def stop(self) -> bool:
        """Stop the router and PostgreSQL (and an older sandbox's PgBouncer); False when nothing was running."""
        with self._lock():
            state = State.load(self.state_path)
            if state is None:
                return False
            return self._stop(state)

    def status(self) -> SandboxStatus:
        state = State.load(self.state_path)
        who = self._who_name()
        if state is None or not state.initialized:
            return SandboxStatus(False, None, True, who[0], who[1], self.dir / "cluster" / "data",
                                 notes=["The sandbox has not been started yet: run `supatui sandbox start`."])
        components = self._components(state)
        running = all(components.values())
        password, store, notes = "", self.passwords.label(state), []
        try:
            password = self.passwords.load(state) or ""
        except SupatuiError as exc:
            notes.append(exc.one_line())
        if state.password_store == "file":
            notes.append(f"No usable OS keyring: the postgres password is kept in {self.password_file} (mode 0600).")
        pooling = True  # the router's own transaction pool, on every machine
        notes.append("Sandbox settings: fsync=off (fast, but a machine crash can lose sandbox data; "
                     "`supatui sandbox reset` recreates it).")
        notes.append(self._tls_note(state))
        major = extensions.major(Path(state.cluster_dir) / "data")
        if major and major != SUPABASE_MAJOR:
            notes.append(f"PostgreSQL {major} here; Supabase projects run {SUPABASE_MAJOR} by default. Known risk: "
                         f"PostgreSQL {major} keeps NOT NULL as catalog constraints, which Prisma's schema engine "
                         "(driver adapters) may read differently: check migrations against your Supabase project too.")
        info = SandboxInfo.build(state.ref, state.session_port, state.transaction_port, state.direct_port, password,
                                 pooling, self._ca_file())
        return SandboxStatus(running, info, pooling, state.run_as or who[0], who[1],
                             Path(state.cluster_dir) / "data", store, components, notes, major)

    def reset(self) -> None:
        """Stop everything and delete the sandbox's data and stored password."""
        with self._lock():
            state = None
            with contextlib.suppress(SupatuiError):
                state = State.load(self.state_path)
            if state is not None:
                self._stop(state)
                with contextlib.suppress(SupatuiError):
                    secrets.delete_password(state.ref, "postgres")
                if state.cluster_dir:
                    shutil.rmtree(socket_dir(Path(state.cluster_dir), _pg_port(state)), ignore_errors=True)
                    shutil.rmtree(state.cluster_dir, ignore_errors=True)
            for child in list(self.dir.iterdir()) if self.dir.exists() else []:
                if child.name == ".lock":
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)

    # -- start ---------------------------------------------------------------------------------
    def _start(self) -> SandboxInfo:
        state = State.load(self.state_path)
        if state is not None and not state.initialized:  # an interrupted first start: begin again
            self._wipe_cluster(state)
            state = None
        if state is not None and not (Path(state.cluster_dir) / "data" / "PG_VERSION").exists():
            raise SupatuiError(f"The sandbox's data directory {state.cluster_dir}/data is missing or damaged.",
                               "Run `supatui sandbox reset` to wipe the sandbox and start fresh.", code="sandbox-corrupt")
        who = runas.current()
        bin_dir = runas.stage_bin_dir(runas.find_bin_dir(), who)
        cold = state is None
        if state is None:
            state = self._new_state(who)
        cluster = self._cluster = Cluster(Path(state.cluster_dir), bin_dir, who, _pg_port(state))
        pg_running = cluster.pid() is not None
        router_running = self._router_alive(state)
        if router_running and state.pgbouncer_port:  # a sandbox from before the router pooled: drop its PgBouncer
            self._bouncer_for(state, "pgbouncer", None).stop()
            state.pgbouncer_port = state.pgbouncer_pid = 0
            state.save(self.state_path)
            self._retarget_router(state)
        if router_running and state.enforce_ssl != routercfg.enforce_ssl():
            state.enforce_ssl = routercfg.enforce_ssl()
            state.save(self.state_path)
            self._retarget_router(state)
        state.enforce_ssl = routercfg.enforce_ssl()
        if pg_running and router_running:
            return self._info(state, cluster)

        if not pg_running and not ports.port_free(_pg_port(state)):
            port = _pg_port(state)
            raise SupatuiError(f"The sandbox's {'internal database' if state.pg_port else 'direct'} port {port} is "
                               "already in use by another program.",
                               f"Stop that program (see `lsof -i :{port}`), or run `supatui sandbox reset` "
                               "to pick new ports (this wipes the sandbox's data).", code="sandbox-port")
        listeners = [] if router_running else [ports.listen(state.session_port, "session"),
                                               ports.listen(state.transaction_port, "transaction")]
        if listeners and state.pg_port:
            listeners.append(ports.listen(state.direct_port, "direct"))
        password = pgb_scram = None
        if cold:
            self.dir.mkdir(parents=True, exist_ok=True)
            cluster.prepare_dirs()
            password = secrets.generate_password(32)
            pgb_scram = scram_secret(secrets.generate_password(32))  # Supabase's pgbouncer role: nobody's login
        if state.pgbouncer_port:  # an older sandbox's PgBouncer: the router pools by itself now
            self._bouncer_for(state, "pgbouncer", None).stop()
            state.pgbouncer_port = state.pgbouncer_pid = 0
        state.save(self.state_path)
        # The CA and certificate (~0.3 s, mostly importing cryptography) are made while initdb runs; the router
        # starts without TLS and reloads with it before start() returns.
        certs = None if tls.files(self.dir).exist() else routercfg.Background(tls.ensure, self.dir)
        try:
            if listeners:
                self._spawn_router(state, listeners)
            copied = False
            if cold:
                copied = self._from_template(cluster, who)
                if not copied:
                    cluster.initdb()
            if not pg_running:
                cluster.start()
            if cold:
                assert password is not None and pgb_scram is not None
                if copied:  # the template's bootstrap is done; only its throwaway passwords are replaced
                    cluster.set_role_passwords({"postgres": scram_secret(password), "pgbouncer": pgb_scram})
                else:
                    cluster.bootstrap(password, pgb_scram)
                self.passwords.store(state, password)
            if certs is not None:
                certs.result()
                self._retarget_router(state)
                routercfg.wait_tls(state.session_port)
        except BaseException:
            self._stop(state)
            raise
        finally:
            for sock in listeners:
                sock.close()
        state.initialized = True
        state.run_as = who.name
        state.save(self.state_path)
        return self._info(state, cluster)

    def _from_template(self, cluster: Cluster, who: runas.RunAs) -> bool:
        """Copy the cached, bootstrapped template data dir into the new cluster (False: build from scratch)."""
        if not template.enabled():
            return False
        try:
            template.copy_into(template.ensure(cluster.bin, who), cluster.dir, who)
        except (SupatuiError, OSError):
            shutil.rmtree(cluster.data, ignore_errors=True)
            return False
        return True

    def _new_state(self, who: runas.RunAs) -> State:
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755 if who.switch else 0o700)
        cluster_dir = self.dir / "cluster"
        if not runas.can_traverse(self.dir, who):
            key = hashlib.sha256(str(self.dir.resolve()).encode()).hexdigest()[:16]
            base = runas.STAGE_ROOT / "clusters"
            base.mkdir(parents=True, exist_ok=True)
            os.chmod(runas.STAGE_ROOT, 0o755)
            os.chmod(base, 0o755)
            cluster_dir = base / key
            shutil.rmtree(cluster_dir, ignore_errors=True)
        session, transaction, direct = ports.choose(self._ports)
        pg_port = ports.free_port()
        while pg_port in (session, transaction, direct):
            pg_port = ports.free_port()
        return State(ref=ports.generate_ref(), session_port=session, transaction_port=transaction, direct_port=direct,
                     cluster_dir=str(cluster_dir), run_as=who.name, pg_port=pg_port)

    def _spawn_router(self, state: State, listeners: list[socket.socket]) -> None:
        from supatui.sandbox import router

        certs = tls.files(self.dir)
        config = routercfg.build(state, [sock.fileno() for sock in listeners],
                                 socket_dir(Path(state.cluster_dir), _pg_port(state)), certs if certs.exist() else None)
        routercfg.write(self.router_config, config)
        log = open(self.router_log, "ab")  # noqa: SIM115 - handed to the child
        try:
            # The router is stdlib-only: run it by path with -I -S for a fast start.
            self._router = subprocess.Popen([sys.executable, "-I", "-S", router.__file__, str(self.router_config)],
                                            cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                            env=runas.server_env(self.dir),  # no caller passwords (issue 10)
                                            pass_fds=[sock.fileno() for sock in listeners], start_new_session=True)
        finally:
            log.close()
        state.router_pid = self._router.pid

    def _retarget_router(self, state: State) -> None:
        """Rewrite the running router's config from the state (SSL enforcement); SIGHUP reloads it."""
        import json
        import signal

        old = json.loads(self.router_config.read_text())
        fds = [int(entry["fd"]) for entry in old["listeners"] if "fd" in entry]
        config = routercfg.build(state, fds if len(fds) == len(old["listeners"]) else None,
                                 socket_dir(Path(state.cluster_dir), _pg_port(state)), tls.ensure(self.dir))
        routercfg.write(self.router_config, config)
        os.kill(state.router_pid, signal.SIGHUP)

    def _ca_file(self) -> str:
        found = tls.files(self.dir)
        return str(found.ca) if found.exist() else ""

    def _tls_note(self, state: State) -> str:
        if not self._ca_file():
            return "No TLS certificate yet: run `supatui sandbox start`."
        where = "session, transaction and direct ports" if state.pg_port else "session and transaction ports"
        enforced = " SSL is enforced (SUPATUI_SANDBOX_ENFORCE_SSL)." if state.enforce_ssl else ""
        return f"TLS on the {where}; root certificate: {self._ca_file()} (sslrootcert=...).{enforced}"

    # -- stop / inspect ----------------------------------------------------------------------------
    def _stop(self, state: State) -> bool:
        was = False
        pid = state.router_pid if self._router_alive(state) else 0
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
            wait_gone(pid, 5)
            was = True
        if self._router is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._router.wait(timeout=1)
            self._router = None
        if state.pgbouncer_port:  # a sandbox made before the router pooled by itself
            was = self._bouncer_for(state, pgbouncer.find() or "pgbouncer", None).stop() or was
        cluster = self._cluster or Cluster(Path(state.cluster_dir), Path(), runas.RunAs("", 0, 0, False),
                                           _pg_port(state))
        was = cluster.stop() or was
        return was

    def _components(self, state: State) -> dict[str, bool]:
        cluster = Cluster(Path(state.cluster_dir), Path(), runas.RunAs("", 0, 0, False), _pg_port(state))
        return {"postgres": cluster.pid() is not None, "router": self._router_alive(state)}

    def _router_alive(self, state: State) -> bool:
        pid = state.router_pid
        if not pid or not pid_alive(pid):
            return False
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists():
            with contextlib.suppress(OSError):
                return b"router.py" in cmdline.read_bytes()
        return True

    def _bouncer_for(self, state: State, binary: str | None, who: runas.RunAs | None) -> PgBouncer:
        cluster_dir = Path(state.cluster_dir)
        return PgBouncer(binary or "pgbouncer", cluster_dir, socket_dir(cluster_dir, _pg_port(state)),
                         _pg_port(state), state.pgbouncer_port, who or runas.RunAs("", 0, 0, False))

    def _info(self, state: State, cluster: Cluster) -> SandboxInfo:
        password = self.passwords.load(state, strict=True)
        if password is None:  # the keyring lost it: set a new one (supabase_admin is trusted on the private socket)
            password = secrets.generate_password(32)
            cluster.set_role_password("postgres", scram_secret(password))
            self.passwords.store(state, password)
        return SandboxInfo.build(state.ref, state.session_port, state.transaction_port, state.direct_port, password,
                                 True, self._ca_file())

    # -- misc --------------------------------------------------------------------------------------
    def _wipe_cluster(self, state: State) -> None:
        self._stop(state)
        shutil.rmtree(state.cluster_dir, ignore_errors=True)
        self.state_path.unlink(missing_ok=True)

    def _who_name(self) -> tuple[str, bool]:
        if runas.is_root():
            return os.environ.get("SUPATUI_SANDBOX_USER", runas.DEFAULT_USER), True
        return runas.current().name, False

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # Windows: no concurrent-start protection
            yield
            return
        with open(self.dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
