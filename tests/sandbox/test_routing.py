"""The Supavisor-style router on the shared sandbox: tenants, options forms, roles, passwords, TLS, cancel.

Expected texts are Supavisor's (supabase/supavisor 03e5cc56, lib/supavisor/errors/*.ex; see supatui/router/wire.py).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from supatui.router.wire import parse_options, route
from supatui.sandbox import Sandbox, SandboxInfo
from supatui.sandbox.model import State

MODES = ["session", "transaction"]


def whoami(url: str, **kwargs: object) -> tuple[str, bool]:
    """(current_user, TLS in use) over a fresh connection."""
    with psycopg.connect(url, connect_timeout=5, prepare_threshold=None, **kwargs) as conn:  # type: ignore[arg-type]
        row = conn.execute("select current_user::text").fetchone()
        assert row is not None
        return row[0], bool(conn.pgconn.ssl_in_use)


def port_of(sandbox: SandboxInfo, mode: str) -> int:
    return {"session": sandbox.session_port, "transaction": sandbox.transaction_port, "direct": sandbox.direct_port}[mode]


@pytest.mark.parametrize("mode", MODES)
def test_role_dot_ref_routes_to_the_bare_role(sandbox: SandboxInfo, mode: str) -> None:
    assert whoami(sandbox.target.url("postgres", sandbox.postgres_password, mode))[0] == "postgres"  # type: ignore[arg-type]


def test_direct_port_takes_the_plain_role(sandbox: SandboxInfo, sandbox_manager: Sandbox) -> None:
    state = State.load(sandbox_manager.state_path)
    assert state is not None
    with psycopg.connect(sandbox.direct_url, connect_timeout=5) as conn:
        row = conn.execute("select current_user::text, inet_server_port()").fetchone()
    assert row == ("postgres", state.pg_port or sandbox.direct_port)


def test_session_port_reaches_postgres_over_its_unix_socket(sandbox: SandboxInfo) -> None:
    """No TCP stack on the session port's upstream leg (routercfg); the router has checked the password first
    (test_wrong_password_gets_postgres_own_error), so the socket's trust lets nobody in unchecked."""
    with psycopg.connect(sandbox.session_url, connect_timeout=5) as conn:
        assert conn.execute("select inet_server_port()").fetchone() == (None,)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("options", ["reference={ref}", "-c reference={ref}", "--reference={ref}",
                                     "-c search_path=public -c reference={ref}"])
def test_options_reference_forms_route_like_supavisor(sandbox: SandboxInfo, mode: str, options: str) -> None:
    url = (f"postgresql://postgres@{sandbox.pooler_host}:{port_of(sandbox, mode)}/postgres"
           f"?options={quote(options.format(ref=sandbox.ref), safe='')}")
    assert whoami(url, password=sandbox.postgres_password)[0] == "postgres"


def connect_error(sandbox: SandboxInfo, mode: str, user: str, password: str | None = None) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(host=sandbox.pooler_host, port=port_of(sandbox, mode), user=user, dbname="postgres",
                        password=password or sandbox.postgres_password, connect_timeout=5, sslmode="disable")
    return str(caught.value), time.monotonic() - started


@pytest.mark.parametrize("mode", MODES)
def test_unknown_tenant_is_enotfound_after_a_delay(sandbox: SandboxInfo, mode: str) -> None:
    text, seconds = connect_error(sandbox, mode, "postgres." + "z" * 20)
    assert f"FATAL:  (ENOTFOUND) tenant/user postgres.{'z' * 20} not found" in text
    assert seconds >= 0.5  # lib/supavisor/client_handler/error.ex: Process.sleep(500)


@pytest.mark.parametrize("mode", MODES)
def test_no_tenant_is_enoidentifier(sandbox: SandboxInfo, mode: str) -> None:
    text, _ = connect_error(sandbox, mode, "postgres")
    assert "FATAL:  (ENOIDENTIFIER) no tenant identifier provided (external_id or sni_hostname required)" in text


def test_unknown_cluster_alias_is_enotfound(sandbox: SandboxInfo) -> None:
    assert "(ENOTFOUND) tenant/user postgres.x not found" in connect_error(sandbox, "session", "postgres.cluster.x")[0]


@pytest.mark.parametrize("mode", MODES)
def test_unknown_role_on_a_known_tenant_is_eauthquery(sandbox: SandboxInfo, mode: str) -> None:
    text, _ = connect_error(sandbox, mode, f"prisma_not_yet.{sandbox.ref}")
    assert "FATAL:  (EAUTHQUERY) user not found in the database" in text
    assert "no such user" not in text


@pytest.mark.parametrize("mode", [*MODES, "direct"])
def test_wrong_password_gets_postgres_own_error(sandbox: SandboxInfo, mode: str) -> None:
    url = sandbox.target.url("postgres", "not-the-password", mode)  # type: ignore[arg-type]
    with pytest.raises(psycopg.OperationalError, match='FATAL:  password authentication failed for user "postgres"'):
        psycopg.connect(url, connect_timeout=5)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("mode", [*MODES, "direct"])
def test_tls_verify_full_with_the_sandbox_ca(sandbox: SandboxInfo, mode: str, host: str) -> None:
    assert sandbox.ca_file
    url = sandbox.target.url("postgres", sandbox.postgres_password, mode).replace("127.0.0.1", host)  # type: ignore[arg-type]
    assert whoami(url, sslmode="verify-full", sslrootcert=sandbox.ca_file) == ("postgres", True)


@pytest.mark.parametrize("mode", [*MODES, "direct"])
def test_plaintext_is_still_allowed(sandbox: SandboxInfo, mode: str) -> None:
    url = sandbox.target.url("postgres", sandbox.postgres_password, mode)  # type: ignore[arg-type]
    assert whoami(url, sslmode="disable") == ("postgres", False)


def test_tls_with_another_ca_fails_verification(sandbox: SandboxInfo, tmp_path: Path) -> None:
    from supatui.sandbox import tls

    other = tls.ensure(tmp_path)  # a second, unrelated CA
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        psycopg.connect(sandbox.session_url, sslmode="verify-full", sslrootcert=str(other.ca), connect_timeout=5)


def test_gssenc_request_is_declined(sandbox: SandboxInfo) -> None:
    assert whoami(sandbox.session_url, gssencmode="prefer", sslmode="disable")[0] == "postgres"


@pytest.mark.parametrize("sslmode", ["disable", "require"])
@pytest.mark.parametrize("mode", [*MODES, "direct"])
def test_cancel_request_reaches_the_right_server(sandbox: SandboxInfo, sandbox_manager: Sandbox, mode: str,
                                                 sslmode: str) -> None:
    url = sandbox.target.url("postgres", sandbox.postgres_password, mode)  # type: ignore[arg-type]
    for _ in range(3 if mode == "transaction" else 1):  # PgBouncer 1.18 died on the old router's cancel handling
        with psycopg.connect(url, connect_timeout=5, sslmode=sslmode, prepare_threshold=None) as conn:
            errors: list[Exception] = []

            def cancel(conn: psycopg.Connection[tuple[object, ...]] = conn, errors: list[Exception] = errors) -> None:
                try:
                    conn.cancel_safe()
                except psycopg.Error as exc:
                    errors.append(exc)

            timer = threading.Timer(0.3, cancel)
            timer.start()
            started = time.monotonic()
            with pytest.raises(psycopg.errors.QueryCanceled):
                conn.execute("select pg_sleep(10)")
            assert time.monotonic() - started < 5
            timer.join()
            assert not errors
    assert all(sandbox_manager.status().components.values()), sandbox_manager.status().components
    assert whoami(url)[0] == "postgres"


def test_route_splits_on_the_last_dot_and_reads_options_as_supavisor() -> None:
    assert route({"user": "my.role.abcdefghijklmnopqrst"}) == ("abcdefghijklmnopqrst", {"user": "my.role"})
    assert route({"user": "prisma", "options": "-c search_path=x -c reference=abc"}) == (
        "abc", {"user": "prisma", "options": "--search_path=x"})
    assert route({"user": "prisma", "options": "--reference=abc"}) == ("abc", {"user": "prisma"})
    assert route({"user": "prisma", "options": "reference=abc"}) == ("abc", {"user": "prisma"})
    assert route({"user": "prisma", "options": "-c x=1 reference=abc"}) is None  # a bare word is no option
    assert route({"user": "prisma"}) is None
    assert route({"user": ".abc"}) is None
    assert parse_options(r"-c search_path=a\ b --work_mem=64MB") == {"search_path": "a b", "work_mem": "64MB"}
