"""Supavisor's protections on a router of their own (short windows) in front of the shared sandbox.

Circuit breaker and secrets cache: lib/supavisor/circuit_breaker.ex, client_authentication.ex; limits:
errors/max_connections_error.ex; SSL enforcement: errors/ssl_required_error.ex; timeouts: auth_timeout_error.ex.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from supatui.sandbox import Sandbox, SandboxInfo, tls
from supatui.sandbox.cluster import socket_dir
from supatui.sandbox.model import State
from tests.sandbox.roles import login_role
from tests.sandbox.router_proc import RouterProc, running_router


@pytest.fixture
def tenant(sandbox: SandboxInfo, sandbox_manager: Sandbox) -> dict[str, Any]:
    """The sandbox's tenant as the sandbox itself configures it (auth_query, the router's own transaction pool)."""
    state = State.load(sandbox_manager.state_path)
    assert state is not None and state.pg_port
    run_dir = str(socket_dir(Path(state.cluster_dir), state.pg_port))
    return {"session": ["127.0.0.1", state.pg_port], "transaction": None,
            "auth_query": {"socket_dir": run_dir, "port": state.pg_port, "user": "supabase_admin"},
            "pool": {"socket_dir": run_dir, "port": state.pg_port, "size": 10}}


@pytest.fixture
def role(sandbox: SandboxInfo) -> Iterator[tuple[str, str]]:
    with login_role(sandbox, "prot", password_bytes=12) as role:
        yield role


def login(router: RouterProc, ref: str, role: str, password: str, port: int | None = None, **kw: Any) -> psycopg.Connection:
    kw.setdefault("sslmode", "disable")
    return psycopg.connect(host="127.0.0.1", port=port or router.session_port, user=f"{role}.{ref}", dbname="postgres",
                           password=password, connect_timeout=5, prepare_threshold=None, **kw)


def refused(router: RouterProc, ref: str, role: str, password: str, port: int | None = None, **kw: Any) -> str:
    with pytest.raises(psycopg.OperationalError) as caught:
        login(router, ref, role, password, port, **kw).close()
    return str(caught.value)


def test_circuit_breaker_opens_after_repeated_failures_then_closes(sandbox: SandboxInfo, tenant: dict[str, Any],
                                                                   tmp_path: Path) -> None:
    with running_router(tmp_path, {sandbox.ref: tenant}, circuit_breaker=[3, 60, 2]) as router:
        for _ in range(3):
            assert "password authentication failed" in refused(router, sandbox.ref, "postgres", "wrong")
        text = refused(router, sandbox.ref, "postgres", sandbox.postgres_password)  # even the right password
        assert ("FATAL:  (ECIRCUITBREAKER) too many authentication failures, new connections are temporarily blocked"
                in text)
        time.sleep(2.2)
        login(router, sandbox.ref, "postgres", sandbox.postgres_password).close()


def test_after_a_password_change_the_cached_verifier_answers_once(sandbox: SandboxInfo, tenant: dict[str, Any],
                                                                  role: tuple[str, str], tmp_path: Path) -> None:
    name, old = role
    new = secrets.token_hex(12)
    with running_router(tmp_path, {sandbox.ref: tenant}, auth_cache_seconds=30) as router:
        login(router, sandbox.ref, name, old).close()  # the verifier is cached now
        with psycopg.connect(sandbox.direct_url, autocommit=True) as conn:
            conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(name), sql.Literal(new)))
        assert "password authentication failed" in refused(router, sandbox.ref, name, new)  # checked against the cache
        login(router, sandbox.ref, name, new).close()  # that failure refreshed the cache
        assert "password authentication failed" in refused(router, sandbox.ref, name, old)


def test_without_a_cache_a_password_change_works_at_once(sandbox: SandboxInfo, tenant: dict[str, Any],
                                                         role: tuple[str, str], tmp_path: Path) -> None:
    name, old = role
    new = secrets.token_hex(12)
    with running_router(tmp_path, {sandbox.ref: tenant}, auth_cache_seconds=0) as router:
        login(router, sandbox.ref, name, old).close()
        with psycopg.connect(sandbox.direct_url, autocommit=True) as conn:
            conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(name), sql.Literal(new)))
        login(router, sandbox.ref, name, new).close()


def test_client_limits_use_supavisors_words(sandbox: SandboxInfo, tenant: dict[str, Any], tmp_path: Path) -> None:
    pw = sandbox.postgres_password
    with running_router(tmp_path, {sandbox.ref: tenant}, max_clients={"session": 2, "transaction": 1}) as router:
        with login(router, sandbox.ref, "postgres", pw), login(router, sandbox.ref, "postgres", pw):
            assert ("FATAL:  (EMAXCONNSESSION) max clients reached in session mode - max clients are limited to "
                    "pool_size: 2") in refused(router, sandbox.ref, "postgres", pw)
        with login(router, sandbox.ref, "postgres", pw, router.transaction_port):
            assert "FATAL:  (EMAXCONN) max client connections reached, limit: 1" in refused(
                router, sandbox.ref, "postgres", pw, router.transaction_port)
        login(router, sandbox.ref, "postgres", pw).close()  # slots come back when clients leave


def test_idle_connections_time_out_and_do_not_stop_service(sandbox: SandboxInfo, tenant: dict[str, Any],
                                                           tmp_path: Path) -> None:
    with running_router(tmp_path, {sandbox.ref: tenant}, startup_timeout=1) as router:
        idle = [socket.create_connection(("127.0.0.1", router.session_port)) for _ in range(300)]
        try:
            login(router, sandbox.ref, "postgres", sandbox.postgres_password).close()
            idle[0].settimeout(5)
            reply = idle[0].recv(1000)
            assert reply[:1] == b"E" and b"(EAUTHTIMEOUT) timeout while waiting for message" in reply
            assert idle[0].recv(10) == b""  # then closed
        finally:
            for sock in idle:
                sock.close()


def test_malformed_config_on_sighup_logs_one_line_and_keeps_the_old(sandbox: SandboxInfo, tenant: dict[str, Any],
                                                                    tmp_path: Path) -> None:
    with running_router(tmp_path, {sandbox.ref: tenant}, log_max_bytes=4000) as router:
        router.reload("{not json")
        log = router.log()
        assert log.count("config reload failed, keeping the old one") == 1 and "Traceback" not in log
        login(router, sandbox.ref, "postgres", sandbox.postgres_password).close()
        for _ in range(60):  # the log stays bounded
            router.proc.send_signal(1)
            time.sleep(0.01)
        time.sleep(0.3)
        assert router.log_path.stat().st_size <= 4000 + 200


def test_enforced_ssl_refuses_plaintext_with_supavisors_message(sandbox: SandboxInfo, tenant: dict[str, Any],
                                                               sandbox_manager: Sandbox, tmp_path: Path) -> None:
    files = tls.files(sandbox_manager.dir)
    state = State.load(sandbox_manager.state_path)
    assert state is not None
    with running_router(tmp_path, {sandbox.ref: {**tenant, "enforce_ssl": True}},
                        direct={"upstream": ["127.0.0.1", state.pg_port], "enforce_ssl": True},
                        tls={"cert": str(files.cert), "key": str(files.key)}) as router:
        pw = sandbox.postgres_password
        assert "FATAL:  (ESSLREQUIRED) SSL connection is required for user: postgres" in refused(
            router, sandbox.ref, "postgres", pw)
        login(router, sandbox.ref, "postgres", pw, sslmode="verify-full", sslrootcert=str(files.ca)).close()
        with pytest.raises(psycopg.OperationalError, match='no pg_hba.conf entry for host "127.0.0.1", user "postgres", '
                                                          'database "postgres", no encryption'):
            psycopg.connect(host="127.0.0.1", port=router.direct_port, user="postgres", password=pw, dbname="postgres",
                            sslmode="disable", connect_timeout=5)
        psycopg.connect(host="localhost", port=router.direct_port, user="postgres", password=pw, dbname="postgres",
                        sslmode="verify-full", sslrootcert=str(files.ca), connect_timeout=5).close()


def test_bad_startup_packets_do_not_hurt_the_router(sandbox: SandboxInfo, tenant: dict[str, Any], tmp_path: Path) -> None:
    with running_router(tmp_path, {sandbox.ref: tenant}) as router:
        for junk in (b"GET / HTTP/1.1\r\n\r\n", struct.pack("!ii", 8, 1234), struct.pack("!i", 2**30), b"\0" * 3):
            with socket.create_connection(("127.0.0.1", router.session_port), timeout=5) as sock:
                sock.sendall(junk)
                sock.shutdown(socket.SHUT_WR)
                with contextlib.suppress(OSError):
                    sock.recv(1000)
        assert router.proc.poll() is None
        login(router, sandbox.ref, "postgres", sandbox.postgres_password).close()
