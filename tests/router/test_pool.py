"""The router's own transaction pool (supatui/router/pool.py) in front of the shared sandbox's PostgreSQL.

Each test runs a router of its own with a small pool, so sharing is deterministic. What Supabase's pooler does
is the reference: a server connection per transaction, named prepared statements colliding or vanishing as
with PgBouncer 1.18, Supavisor's checkout-timeout text (lib/supavisor/errors/checkout_timeout_error.ex).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from supatui.router import scram, wire
from supatui.sandbox import Sandbox, SandboxInfo
from supatui.sandbox.cluster import socket_dir
from supatui.sandbox.model import State
from tests.sandbox.router_proc import RouterProc, running_router


@pytest.fixture
def pooled(sandbox: SandboxInfo, sandbox_manager: Sandbox, tmp_path: Path) -> Iterator[Any]:
    """``pooled(size=1, checkout_timeout=5)``: a context manager running a router whose transaction port pools."""
    state = State.load(sandbox_manager.state_path)
    assert state is not None and state.pg_port
    run_dir = str(socket_dir(Path(state.cluster_dir), state.pg_port))

    @contextmanager
    def start(size: int = 1, checkout_timeout: float = 5, where: str = "r") -> Iterator[RouterProc]:
        tenant = {"session": ["127.0.0.1", state.pg_port], "transaction": None,
                  "auth_query": {"socket_dir": run_dir, "port": state.pg_port, "user": "supabase_admin"},
                  "pool": {"socket_dir": run_dir, "port": state.pg_port, "size": size,
                           "checkout_timeout": checkout_timeout}}
        (tmp_path / where).mkdir()
        with running_router(tmp_path / where, {sandbox.ref: tenant}) as router:
            yield router

    yield start


def connect(sandbox: SandboxInfo, router: RouterProc, **kw: Any) -> psycopg.Connection:
    kw.setdefault("autocommit", True)
    return psycopg.connect(host="127.0.0.1", port=router.transaction_port, user=f"postgres.{sandbox.ref}",
                           dbname="postgres", password=sandbox.postgres_password, sslmode="disable", connect_timeout=5,
                           **kw)


def backend_pid(conn: psycopg.Connection) -> int:
    row = conn.execute("select pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def test_clients_share_one_server_between_transactions(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1) as router, connect(sandbox, router) as a, connect(sandbox, router) as b:
        assert backend_pid(a) == backend_pid(b)
        assert a.execute("select current_user::text").fetchone() == ("postgres",)
        assert a.info.backend_pid != backend_pid(a)  # the router's own BackendKeyData


def test_named_prepared_statements_behave_as_on_supabases_pooler(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1) as router, connect(sandbox, router) as a, connect(sandbox, router) as b:
        assert a.execute("select 1", prepare=True).fetchone() == (1,)
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement, match='prepared statement "_pg3_0" already exists'):
            b.execute("select 1", prepare=True)
    with pooled(size=2, where="r2") as router, connect(sandbox, router) as a, connect(sandbox, router) as c:
        assert a.execute("select 2", prepare=True).fetchone() == (2,)
        with c.transaction():  # c pins a's server, so a's next execution lands on the other one
            c.execute("select pg_sleep(0)")
            with pytest.raises(psycopg.errors.InvalidSqlStatementName, match='"_pg3_0" does not exist'):
                a.execute("select 2", prepare=True)


def test_the_server_is_released_at_commit_not_before(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1) as router, connect(sandbox, router) as a, connect(sandbox, router) as b:
        done = threading.Event()
        a.execute("begin")
        a.execute("select 1")

        def second() -> None:
            b.execute("select 2")
            done.set()

        worker = threading.Thread(target=second, daemon=True)
        worker.start()
        assert not done.wait(0.7), "a server in a transaction served another client"
        a.execute("commit")
        assert done.wait(5), "the server was not released at commit"
        worker.join(5)


def test_pipelined_extended_protocol_batches_stay_on_one_server(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1) as router, connect(sandbox, router, prepare_threshold=None) as a, \
            connect(sandbox, router, prepare_threshold=None) as b:  # psycopg's setting for transaction poolers
        results: dict[str, list[Any]] = {"a": [], "b": []}
        errors: list[BaseException] = []

        def batch(conn: psycopg.Connection, name: str, offset: int) -> None:
            try:
                for _ in range(20):
                    with conn.pipeline():
                        cursors = [conn.execute("select %s::int + 0", [offset + i]) for i in range(10)]
                        conn.execute("select pg_sleep(0)")
                    results[name] += [cur.fetchone() for cur in cursors]
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=batch, args=(a, "a", 0)), threading.Thread(target=batch, args=(b, "b", 100))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors
        assert results["a"] == [(i,) for i in range(10)] * 20
        assert results["b"] == [(100 + i,) for i in range(10)] * 20
        with a.pipeline():  # a transaction inside a pipeline: held until its COMMIT's ReadyForQuery
            a.execute("begin")
            a.execute("create temp table pipelined (x int) on commit drop")
            a.execute("insert into pipelined values (1)")
            a.execute("commit")
        assert b.execute("select 1").fetchone() == (1,)


def test_a_client_dying_mid_transaction_does_not_leak_a_locked_server(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1, checkout_timeout=5) as router:
        a = connect(sandbox, router)
        a.execute("begin")
        a.execute("select pg_advisory_xact_lock(4242)")
        raw = socket.fromfd(a.fileno(), socket.AF_INET, socket.SOCK_STREAM)
        raw.shutdown(socket.SHUT_RDWR)  # the client vanishes (no Terminate, no COMMIT)
        raw.close()
        with connect(sandbox, router) as b:
            started = time.monotonic()
            assert b.execute("select pg_try_advisory_xact_lock(4242)").fetchone() == (True,)
            assert time.monotonic() - started < 3
            assert b.execute("select count(*) from pg_stat_activity where state like 'idle in transaction%'"
                             " and usename = 'postgres'").fetchone() == (0,)
        a.close()


def test_a_session_advisory_lock_stays_on_its_pooled_server_as_on_supavisor(sandbox: SandboxInfo,
                                                                            pooled: Any) -> None:
    """Supavisor cleans up nothing between transaction-mode clients (lib/supavisor/db_handler.ex: cleanup
    "only supported in session mode"), so `prisma migrate`'s session lock over 6543 outlives the migrate and
    the next one times out (P1002). The sandbox must not be kinder."""
    with pooled(size=1) as router, connect(sandbox, router) as a, psycopg.connect(sandbox.direct_url) as direct:
        a.execute("select pg_advisory_lock(4343)")
        time.sleep(0.2)
        with connect(sandbox, router) as b:
            assert b.execute("select pg_try_advisory_lock(4343)").fetchone() == (True,)  # same server: re-entrant
        assert direct.execute("select pg_try_advisory_lock(4343)").fetchone() == (False,)
        assert direct.execute("select count(*) from pg_locks where locktype = 'advisory' and objid = 4343"
                              " and granted").fetchone() == (1,)


def test_checkout_timeout_is_supavisors(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1, checkout_timeout=0.5) as router, connect(sandbox, router) as a, \
            connect(sandbox, router) as b:
        a.execute("begin")
        a.execute("select 1")
        started = time.monotonic()
        with pytest.raises(psycopg.errors.InternalError_) as caught:  # FATAL XX000, then the router hangs up
            b.execute("select 1")
        assert 0.4 < time.monotonic() - started < 3
        assert str(caught.value) == ("(ECHECKOUTTIMEOUT) unable to check out connection from the pool after 500ms "
                                     "in Transaction mode")
        assert caught.value.diag.severity == "FATAL"
        with pytest.raises(psycopg.OperationalError):
            b.execute("select 1")
        assert a.execute("select 2").fetchone() == (2,)  # the holder is unharmed
        a.execute("commit")


def test_cancel_reaches_the_server_running_that_clients_query(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=2) as router, connect(sandbox, router) as a, connect(sandbox, router) as b:
        other: list[Any] = []
        worker = threading.Thread(target=lambda: other.append(b.execute("select pg_sleep(1.5), 'b'").fetchone()))
        worker.start()
        time.sleep(0.2)
        threading.Timer(0.3, a.cancel_safe).start()
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            a.execute("select pg_sleep(10)")
        assert time.monotonic() - started < 3
        worker.join(10)
        assert other == [("", "b")]  # the other client's query was not cancelled
        assert a.execute("select 1").fetchone() == (1,)


def test_startup_parameters_follow_each_client_onto_a_shared_server(sandbox: SandboxInfo, pooled: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with pooled(size=1) as router:
        monkeypatch.setenv("PGTZ", "Asia/Tokyo")
        monkeypatch.setenv("PGDATESTYLE", "German")
        first = connect(sandbox, router, application_name="first", client_encoding="LATIN1")
        monkeypatch.delenv("PGTZ")
        monkeypatch.delenv("PGDATESTYLE")
        second = connect(sandbox, router, application_name="second")
        with first, second:
            assert first.info.parameter_status("application_name") == "first"
            assert first.info.parameter_status("client_encoding") == "LATIN1"
            query = ("select current_setting('application_name'), current_setting('TimeZone'), "
                     "current_setting('DateStyle'), current_setting('client_encoding')")
            defaults = tuple(second.info.parameter_status(name)
                             for name in ("TimeZone", "DateStyle", "client_encoding"))
            assert defaults != ("Asia/Tokyo", "German, DMY", "LATIN1")
            for _ in range(2):
                assert first.execute(query).fetchone() == ("first", "Asia/Tokyo", "German, DMY", "LATIN1")
                assert second.execute(query).fetchone() == ("second", *defaults)
            first.execute("set application_name = 'renamed'")
            second.execute("select 1")
            assert first.execute(query).fetchone()[0] == "renamed"  # the client's own SET follows it too


def test_a_database_that_does_not_exist_gets_postgresqls_own_error(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1) as router, pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(host="127.0.0.1", port=router.transaction_port, user=f"postgres.{sandbox.ref}",
                        dbname="no_such_db", password=sandbox.postgres_password, sslmode="disable", connect_timeout=5)
    assert 'database "no_such_db" does not exist' in str(caught.value)


def test_a_waiting_client_that_hangs_up_leaves_the_queue(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1, checkout_timeout=5) as router, connect(sandbox, router) as holder:
        holder.execute("begin")
        pid = backend_pid(holder)
        waiter = connect(sandbox, router)
        worker = threading.Thread(target=lambda: pytest.raises(psycopg.Error, waiter.execute, "select 1"), daemon=True)
        worker.start()
        time.sleep(0.3)  # queued behind the holder
        raw = socket.fromfd(waiter.fileno(), socket.AF_INET, socket.SOCK_STREAM)
        raw.shutdown(socket.SHUT_RDWR)
        raw.close()
        worker.join(5)
        holder.execute("commit")
        with connect(sandbox, router) as third:  # the same server, never handed to the client that left
            assert backend_pid(third) == pid
        waiter.close()


def test_a_tenant_without_transaction_pooling_is_refused_not_given_session_mode(sandbox: SandboxInfo,
                                                                                sandbox_manager: Sandbox,
                                                                                tmp_path: Path) -> None:
    state = State.load(sandbox_manager.state_path)
    assert state is not None
    tenant = {"session": ["127.0.0.1", state.pg_port], "transaction": None}
    with running_router(tmp_path, {sandbox.ref: tenant}) as router, pytest.raises(psycopg.OperationalError) as caught:
        connect(sandbox, router)
    assert "(ENOTRANSACTIONPOOLING) transaction mode is not configured for this tenant" in str(caught.value)
    assert str(router.session_port) in str(caught.value)


def _frontend(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("!i", len(body) + 4) + body


@contextmanager
def _raw_role(sandbox: SandboxInfo) -> Iterator[tuple[str, bytes, bytes]]:
    """A role whose SCRAM keys the test knows: (name, stored_key, client_key), for a hand-made protocol client."""
    name, salt = f"raw_{secrets.token_hex(4)}", secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", b"raw-pw", salt, 4096)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    b64 = base64.b64encode
    verifier = f"SCRAM-SHA-256$4096:{b64(salt).decode()}${b64(stored_key).decode()}:{b64(server_key).decode()}"
    with psycopg.connect(sandbox.direct_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password {}").format(sql.Identifier(name), sql.Literal(verifier)))
    try:
        yield name, stored_key, client_key
    finally:
        with psycopg.connect(sandbox.direct_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))


def test_a_pipelined_batch_sent_in_three_byte_pieces_is_framed_and_kept_on_one_server(sandbox: SandboxInfo,
                                                                                      pooled: Any) -> None:
    with _raw_role(sandbox) as (name, stored_key, client_key), pooled(size=1) as router:
        sock = socket.create_connection(("127.0.0.1", router.transaction_port), timeout=10)
        sock.sendall(wire.startup_message(196608, {"user": f"{name}.{sandbox.ref}", "database": "postgres"}))
        assert scram.login_upstream(sock, stored_key, client_key)[0] == b"R"
        while wire.read_message(sock)[0] != b"Z":
            pass
        batch = b""
        for value in (b"one", b"two", b"three"):  # Parse/Bind/Describe/Execute/Sync, unnamed, three times
            batch += _frontend(b"P", b"\0select $1::text || pg_backend_pid()::text\0\0\0")
            batch += _frontend(b"B", b"\0\0\0\0\0\x01" + struct.pack("!i", len(value)) + value + b"\0\0")
            batch += _frontend(b"E", b"\0\0\0\0\0") + _frontend(b"S", b"")
        batch += _frontend(b"Q", b"select 'simple' || pg_backend_pid()::text\0")
        other = connect(sandbox, router)  # the same pool (size 1): must not get the server mid-batch
        other_rows: list[Any] = []
        for start in range(0, len(batch), 3):
            sock.sendall(batch[start:start + 3])
            if start == 30:
                worker = threading.Thread(target=lambda: other_rows.append(other.execute("select 'other'").fetchone()))
                worker.start()
            time.sleep(0.002)
        rows, ready = [], 0
        while ready < 4:
            tag, body = wire.read_message(sock)
            if tag == b"D":
                (length,) = struct.unpack("!i", body[2:6])
                rows.append(body[6:6 + length].decode())
            elif tag == b"E":
                raise AssertionError(wire.error_text(body))
            elif tag == b"Z":
                ready += 1
        pids = {row.lstrip("onetwhrsimpl") for row in rows}
        assert [row.rstrip("0123456789") for row in rows] == ["one", "two", "three", "simple"]
        assert len(pids) == 1  # one server for the whole pipeline
        worker.join(5)
        assert other_rows == [("other",)]
        sock.sendall(_frontend(b"X", b""))
        sock.close()
        other.close()


def test_terminate_mid_transaction_closes_that_server_and_rolls_back(sandbox: SandboxInfo, pooled: Any) -> None:
    with pooled(size=1) as router:
        a = connect(sandbox, router)
        a.execute("begin")
        pid = backend_pid(a)
        a.execute("select pg_advisory_xact_lock(4545)")
        a.close()  # sends Terminate in the middle of the transaction
        with connect(sandbox, router) as b:
            assert b.execute("select pg_try_advisory_xact_lock(4545)").fetchone() == (True,)
            assert backend_pid(b) != pid  # a fresh server: the one in a transaction was closed, not reused
