"""A Supavisor-style router: ``role.ref`` user names on a session port and a transaction port, TLS, limits.

For each client it answers SSLRequest with ``S`` and TLS (the sandbox's own CA) or ``N`` when no certificate
is configured, reads the StartupMessage, finds the tenant as Supavisor does, applies Supavisor's checks
(session.py) and pipes bytes to that tenant's PostgreSQL (session), or pools it by transaction itself
(transaction: pool.py, as Supavisor does). A ``direct`` listener puts TLS in front of PostgreSQL itself (the
embedded build has no OpenSSL). CancelRequests go to the server that issued the key. One router fronts many tenants; SIGHUP
reloads the config (a bad file logs one line and the old config stays).

Config (JSON)::

    {"listeners": [{"kind": "session"|"transaction", "fd": N} | {"kind": ..., "host": H, "port": P}
                   | {"kind": "direct", "fd": N, "upstream": [H, P], "enforce_ssl": false}],
     "tenants": {ref: {"session": [H, P], "transaction": [H, P] | null, "direct": [H, P],
                       "enforce_ssl": false, "auth_query": {"socket_dir": D, "port": P, "user": U},
                       "pool": {"socket_dir": D, "port": P, "size": 10, "checkout_timeout": 60,
                                "idle_timeout": 600}}},
     "login_log": PATH, "tls": {"cert": PATH, "key": PATH}, "startup_timeout": 15,
     "max_clients": {"session": 15, "transaction": 200}, "circuit_breaker": [10, 150, 120],
     "auth_cache_seconds": 0, "log_max_bytes": 1000000}

With ``pool`` (and ``auth_query``) the transaction port is the router's own transaction pooler (pool.py),
as Supavisor is; else ``transaction`` names an upstream pooler (PgBouncer) to pipe to, and ``transaction: null``
refuses transaction mode with a clear message (no PgBouncer on this machine), never
session semantics dressed up as transaction mode. With ``login_log`` one JSON line ``{"ref", "user",
"kind", "at"}`` is appended per successful login (AuthenticationOk then ReadyForQuery from upstream).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import selectors
import signal
import socket
import ssl
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supatui.router import guard, wire

MAX_PENDING = 2000  # connections in their startup phase (each ends after startup_timeout); more are closed at once


@dataclass(frozen=True)
class Tenant:
    ports: dict[str, tuple[str, int] | None]
    enforce_ssl: bool = False
    auth_query: dict[str, Any] | None = None
    pool: dict[str, Any] | None = None  # the router's own transaction pool (pool.py): socket_dir, port, size, ...


@dataclass(frozen=True)
class Direct:
    upstream: tuple[str, int]
    enforce_ssl: bool = False


@dataclass(frozen=True)
class Config:
    tenants: dict[str, Tenant]
    listeners: list[dict[str, Any]]
    direct: Direct | None = None
    tls: ssl.SSLContext | None = None
    login_log: str | None = None
    startup_timeout: float = 15.0
    max_clients: dict[str, int] = field(default_factory=lambda: {"session": 15, "transaction": 200})
    circuit_breaker: tuple[int, float, float] = (10, 150.0, 120.0)
    auth_cache_seconds: float = 0.0
    log_max_bytes: int = 1_000_000
    session_port: int = 0


def _addr(value: Any) -> tuple[str, int] | None:
    if value is None:
        return None
    host, port = value
    return str(host), int(port)


def load_config(path: Path) -> Config:
    raw = json.loads(path.read_text())
    if not isinstance(raw, dict) or not isinstance(raw.get("listeners"), list):
        raise ValueError("not a router config (no listeners list)")
    tenants: dict[str, Tenant] = {}
    for ref, entry in dict(raw.get("tenants", {})).items():
        ports = {kind: _addr(entry.get(kind)) for kind in ("session", "transaction")}
        auth_query, pool = entry.get("auth_query"), entry.get("pool")
        tenants[str(ref)] = Tenant(ports, bool(entry.get("enforce_ssl", False)),
                                   dict(auth_query) if auth_query else None, dict(pool) if pool else None)
    direct = None
    for listener in raw["listeners"]:
        if listener.get("kind") == "direct":
            upstream = _addr(listener["upstream"])
            assert upstream is not None
            direct = Direct(upstream, bool(listener.get("enforce_ssl", False)))
    tls = None
    if raw.get("tls"):
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(str(raw["tls"]["cert"]), str(raw["tls"]["key"]))
    limits = {"session": 15, "transaction": 200, **{str(k): int(v) for k, v in dict(raw.get("max_clients", {})).items()}}
    failures, window, block = raw.get("circuit_breaker", (10, 150, 120))
    return Config(tenants, list(raw["listeners"]), direct, tls, str(raw["login_log"]) if raw.get("login_log") else None,
                  float(raw.get("startup_timeout", 15)), limits, (int(failures), float(window), float(block)),
                  float(raw.get("auth_cache_seconds", 0)), int(raw.get("log_max_bytes", 1_000_000)))


class Router:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self.config = load_config(config_path)
        self.cancel_keys: dict[bytes, tuple[str, int]] = {}
        self.breaker = guard.CircuitBreaker(*self.config.circuit_breaker)
        self.secrets = guard.SecretsCache(self.config.auth_cache_seconds)
        self._clients: dict[tuple[str, str], int] = {}
        self._live = 0
        self._lock = threading.Lock()

    # -- bookkeeping used by session.Connection ------------------------------------------------------------
    def admit(self, kind: str, ref: str) -> tuple[str, str] | None:
        key = (kind, ref)
        with self._lock:
            count = self._clients.get(key, 0)
            if count >= self.config.max_clients.get(kind, 200):
                return None
            self._clients[key] = count + 1
        return key

    def release(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._clients[key] = max(0, self._clients.get(key, 1) - 1)

    def forward_cancel(self, key: bytes, packet: bytes) -> None:
        """Send the CancelRequest to the server that issued the key and wait until it hangs up, as libpq does
        (closing at once killed PgBouncer 1.18)."""
        from supatui.router import pool

        if pool.cancel(key):
            return
        target = self.cancel_keys.get(key)
        if target is None:
            return
        try:
            with wire.connect(target, timeout=5) as up:
                up.sendall(packet)
                while up.recv(64):
                    pass
        except OSError:
            pass

    def log_login(self, ref: str, user: str, kind: str) -> None:
        path = self.config.login_log
        if not path:
            return
        at = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        line = json.dumps({"ref": ref, "user": user, "kind": kind, "at": at}) + "\n"
        try:
            with open(path, "a") as handle:
                handle.write(line)
        except OSError as exc:
            self.log(f"cannot append to login_log {path}: {exc.strerror}")

    def log(self, text: str) -> None:
        """One line on stderr (router.log), which is truncated when it passes log_max_bytes."""
        with contextlib.suppress(OSError):
            if os.fstat(2).st_size > self.config.log_max_bytes:
                os.ftruncate(2, 0)
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            os.write(2, f"{stamp} router: {text}\n".encode(errors="replace"))

    # -- serving ----------------------------------------------------------------------------------------
    def reload(self) -> None:
        try:
            config = load_config(self.config_path)
        except Exception as exc:  # noqa: BLE001 - any bad file: keep serving with the old config
            self.log(f"config reload failed, keeping the old one: {type(exc).__name__}: {exc}".replace("\n", " "))
            return
        self.config = config
        self.breaker.max_failures, self.breaker.window, self.breaker.block = config.circuit_breaker
        self.secrets.ttl = config.auth_cache_seconds
        self.log("config reloaded")

    def _listen(self) -> list[tuple[socket.socket, str]]:
        sockets = []
        for listener in self.config.listeners:
            if "fd" in listener:
                sock = socket.socket(fileno=int(listener["fd"]))
            else:
                sock = socket.create_server((str(listener.get("host", "127.0.0.1")), int(listener["port"])),
                                            backlog=512)
            sockets.append((sock, str(listener["kind"])))
            if listener["kind"] == "session":
                object.__setattr__(self.config, "session_port", sock.getsockname()[1])
        return sockets

    def serve(self) -> None:
        from supatui.router.session import Connection

        threading.stack_size(512 * 1024)
        listeners = self._listen()
        session_port = self.config.session_port
        selector = selectors.DefaultSelector()
        for sock, kind in listeners:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, kind)
        if hasattr(signal, "SIGHUP"):  # not on Windows
            signal.signal(signal.SIGHUP, lambda *_: self._reload_keeping(session_port))
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            for event, _ in selector.select(timeout=1.0):
                listener = event.fileobj
                assert isinstance(listener, socket.socket)
                try:
                    conn, addr = listener.accept()
                except OSError:
                    continue
                with self._lock:
                    if self._live >= MAX_PENDING + sum(self._clients.values()):
                        conn.close()
                        continue
                    self._live += 1
                conn.setblocking(True)
                with contextlib.suppress(OSError):
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                peer = str(addr[0]) if isinstance(addr, tuple) else "local"
                connection = Connection(self, self.config, str(event.data), conn, peer)
                threading.Thread(target=self._run, args=(connection,), daemon=True).start()

    def _reload_keeping(self, session_port: int) -> None:
        self.reload()
        object.__setattr__(self.config, "session_port", session_port)

    def _run(self, connection: Any) -> None:
        try:
            connection.run()
        except Exception as exc:  # noqa: BLE001 - one line per unexpected failure, never a traceback
            self.log(f"connection error: {type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._live -= 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m supatui.router CONFIG.json", file=sys.stderr)
        return 2
    try:
        router = Router(Path(args[0]))
    except (OSError, ValueError, KeyError, TypeError, ssl.SSLError) as exc:
        print(f"router: cannot read the config {args[0]}: {exc}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        router.serve()
    return 0
