"""The Supavisor-style router on the shared sandbox: tenants, roles, passwords, TLS, cancel."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from supatui.sandbox import SandboxInfo
from supatui.sandbox.router import route


def whoami(url: str, **kwargs: object) -> tuple[str, int]:
    with psycopg.connect(url, connect_timeout=5, prepare_threshold=None, **kwargs) as conn:  # type: ignore[arg-type]
        row = conn.execute("select current_user::text, inet_server_port()").fetchone()
        assert row is not None
        return row[0], row[1]


@pytest.mark.parametrize("mode", ["session", "transaction"])
def test_role_dot_ref_routes_to_the_bare_role(sandbox: SandboxInfo, mode: str) -> None:
    user, _ = whoami(sandbox.target.url("postgres", sandbox.postgres_password, mode))  # type: ignore[arg-type]
    assert user == "postgres"


def test_direct_port_takes_the_plain_role(sandbox: SandboxInfo) -> None:
    user, port = whoami(sandbox.direct_url)
    assert (user, port) == ("postgres", sandbox.direct_port)


def test_options_reference_routes_like_supavisor(sandbox: SandboxInfo) -> None:
    url = (f"postgresql://postgres@{sandbox.pooler_host}:{sandbox.session_port}/postgres"
           f"?options=reference%3D{sandbox.ref}")
    assert whoami(url, password=sandbox.postgres_password)[0] == "postgres"


@pytest.mark.parametrize("mode", ["session", "transaction"])
@pytest.mark.parametrize("user", ["postgres.{wrong}", "postgres", "postgres.cluster.x"])
def test_unknown_or_missing_tenant(sandbox: SandboxInfo, mode: str, user: str) -> None:
    port = sandbox.session_port if mode == "session" else sandbox.transaction_port
    user = user.format(wrong="z" * 20)
    with pytest.raises(psycopg.OperationalError, match="FATAL:  Tenant or user not found"):
        psycopg.connect(host=sandbox.pooler_host, port=port, user=user, password=sandbox.postgres_password,
                        dbname="postgres", connect_timeout=5)


@pytest.mark.parametrize("mode", ["session", "transaction", "direct"])
def test_wrong_password_gets_postgres_own_error(sandbox: SandboxInfo, mode: str) -> None:
    url = sandbox.target.url("postgres", "not-the-password", mode)  # type: ignore[arg-type]
    with pytest.raises(psycopg.OperationalError, match='FATAL:  password authentication failed for user "postgres"'):
        psycopg.connect(url, connect_timeout=5)


def test_no_tls_and_sslmode_require_fails_clearly(sandbox: SandboxInfo) -> None:
    assert whoami(sandbox.session_url, sslmode="prefer")[0] == "postgres"  # SSLRequest answered 'N'
    with pytest.raises(psycopg.OperationalError, match="server does not support SSL, but SSL was required"):
        psycopg.connect(sandbox.session_url, sslmode="require", connect_timeout=5)


def test_gssenc_request_is_declined(sandbox: SandboxInfo) -> None:
    assert whoami(sandbox.session_url, gssencmode="prefer")[0] == "postgres"


def test_cancel_request_is_routed(sandbox: SandboxInfo) -> None:
    with psycopg.connect(sandbox.session_url, connect_timeout=5) as conn:
        timer = threading.Timer(0.3, conn.cancel_safe)
        timer.start()
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("select pg_sleep(10)")
        assert time.monotonic() - started < 5


def test_dotted_role_names_split_on_the_last_dot() -> None:
    assert route({"user": "my.role.abcdefghijklmnopqrst"}) == ("abcdefghijklmnopqrst", {"user": "my.role"})
    assert route({"user": "prisma", "options": "-c x=1 reference=abc"}) == ("abc", {"user": "prisma", "options": "-c x=1"})
    assert route({"user": "prisma"}) is None
    assert route({"user": ".abc"}) is None
