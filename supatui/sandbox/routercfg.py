"""The sandbox's router.json: listeners, its one tenant, TLS, and Supavisor's limits (env-tunable).

Settings (environment, read at `supatui sandbox start`):
- ``SUPATUI_SANDBOX_ENFORCE_SSL=1``: refuse plaintext as Supabase's "Enforce SSL" does (default off, as on Supabase).
- ``SUPATUI_SANDBOX_CIRCUIT_BREAKER=failures/window_s/block_s`` or ``off`` (default Supavisor's ``10/150/120``).
- ``SUPATUI_SANDBOX_AUTH_CACHE_SECONDS``: how long the pooler trusts a cached verifier (default 60; Supavisor 24 h).
- ``SUPATUI_SANDBOX_MAX_CLIENTS=session,transaction`` (default ``15,200``: Supabase Nano's pool size and max clients).
- ``SUPATUI_SANDBOX_CHECKOUT_TIMEOUT_SECONDS``: how long a transaction-port client waits for a free server connection
  before Supavisor's ``ECHECKOUTTIMEOUT`` (default 60: Supavisor's ``pool_checkout_timeout``, lib/supavisor/tenants/user.ex).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supatui.core.errors import SupatuiError
from supatui.sandbox.model import State
from supatui.sandbox.tls import TlsFiles

LOCAL = "127.0.0.1"
IDLE_TIMEOUT = 60  # seconds an unused server connection stays open (a laptop's or a room seat's backends are few)
POOL_SIZE = 10  # server connections per (user, database) on the transaction port (PgBouncer's default_pool_size was 10)


def enforce_ssl() -> bool:
    return os.environ.get("SUPATUI_SANDBOX_ENFORCE_SSL", "").lower() in ("1", "true", "yes", "on")


def _checkout_timeout() -> float:
    try:
        return float(os.environ.get("SUPATUI_SANDBOX_CHECKOUT_TIMEOUT_SECONDS", "60"))
    except ValueError:
        raise SupatuiError("SUPATUI_SANDBOX_CHECKOUT_TIMEOUT_SECONDS is not a number of seconds.",
                           "Fix or unset it, then start again.") from None


def _settings() -> dict[str, Any]:
    env = os.environ
    breaker = env.get("SUPATUI_SANDBOX_CIRCUIT_BREAKER", "10/150/120")
    clients = env.get("SUPATUI_SANDBOX_MAX_CLIENTS", "15,200")
    cache = env.get("SUPATUI_SANDBOX_AUTH_CACHE_SECONDS", "60")
    try:
        failures, window, block = (0, 1.0, 0.0) if breaker == "off" else tuple(float(x) for x in breaker.split("/"))
        session, transaction = (int(x) for x in clients.split(","))
        cache_seconds = float(cache)
    except ValueError:
        raise SupatuiError("A SUPATUI_SANDBOX_* setting is malformed (CIRCUIT_BREAKER=10/150/120 or off, "
                           "MAX_CLIENTS=15,200, AUTH_CACHE_SECONDS=60).", "Fix or unset it, then start again.") from None
    return {"circuit_breaker": [int(failures), window, block], "max_clients": {"session": session,
                                                                                "transaction": transaction},
            "auth_cache_seconds": cache_seconds}


def build(state: State, fds: list[int] | None, run_dir: Path, tls: TlsFiles | None) -> dict[str, Any]:
    """The config; ``fds`` = inherited listening sockets (session, transaction[, direct])."""
    pg_port = state.pg_port or state.direct_port
    kinds = ["session", "transaction"] + (["direct"] if state.pg_port else [])
    listeners: list[dict[str, Any]] = []
    for index, kind in enumerate(kinds):
        port = {"session": state.session_port, "transaction": state.transaction_port, "direct": state.direct_port}[kind]
        entry: dict[str, Any] = {"kind": kind, "fd": fds[index]} if fds else {"kind": kind, "host": LOCAL, "port": port}
        if kind == "direct":
            entry.update(upstream=[LOCAL, pg_port], enforce_ssl=state.enforce_ssl)
        listeners.append(entry)
    # The session port reaches PostgreSQL over its private Unix socket (no TCP stack on either side: measured
    # faster), which pg_hba trusts: safe only because the router itself authenticates every client first
    # (auth_query below) and logs in upstream with the client's SCRAM ClientKey. TCP where there are no Unix sockets.
    session = [str(run_dir), pg_port] if hasattr(socket, "AF_UNIX") else [LOCAL, pg_port]
    tenant = {"session": session,
              "transaction": None,  # no upstream pooler: the router pools (below), as Supavisor does
              "direct": [LOCAL, state.direct_port], "enforce_ssl": state.enforce_ssl,
              "auth_query": {"socket_dir": str(run_dir), "port": pg_port, "user": "supabase_admin"},
              # server connections over PostgreSQL's private socket (trusted there; cheaper than TCP)
              "pool": {"socket_dir": str(run_dir), "port": pg_port, "size": POOL_SIZE,
                       "checkout_timeout": _checkout_timeout(), "idle_timeout": IDLE_TIMEOUT}}
    config: dict[str, Any] = {"listeners": listeners, "tenants": {state.ref: tenant}, **_settings()}
    if tls is not None:
        config["tls"] = {"cert": str(tls.cert), "key": str(tls.key)}
    return config


def write(path: Path, config: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(config, indent=2) + "\n")
    os.replace(tmp, path)


class Background:
    """A function running in a thread; ``result()`` joins it and re-raises its error."""

    def __init__(self, func: Callable[..., object], *args: object) -> None:
        import threading

        self._error: BaseException | None = None

        def run() -> None:
            try:
                func(*args)
            except BaseException as exc:  # noqa: BLE001 - handed to result()
                self._error = exc

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def result(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def wait_tls(port: int, timeout: float = 5) -> None:
    """Until the router answers an SSLRequest with 'S' (it has reloaded its config with the certificate)."""
    import struct
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(struct.pack("!ii", 8, 80877103))
            if sock.recv(1) == b"S":
                return
        time.sleep(0.005)
