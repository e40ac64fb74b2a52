"""Connection failures become advice: known texts (Supavisor old and new, libpq) and real servers."""

from __future__ import annotations

import socket

import psycopg
import pytest

from supatui.core.connstr import ConnectionTarget
from supatui.core.database import Endpoint, connect, connect_target, current_user, explain_connect_error
from supatui.core.errors import SupatuiError

EP = Endpoint("prisma.abcdefghijklmnopqrst", "aws-1-eu-west-1.pooler.supabase.com", 5432)
PREFIX = 'connection failed: connection to server at "1.2.3.4", port 5432 failed: '


@pytest.mark.parametrize(("text", "code", "words"), [
    (PREFIX + "FATAL:  Tenant or user not found", "tenant-not-found", "Connect dialog"),
    (PREFIX + "FATAL:  (ENOTFOUND) tenant/user prisma.abcdefghijklmnopqrst not found", "tenant-not-found", "aws-N"),
    (PREFIX + "FATAL:  (ENOIDENTIFIER) no tenant identifier provided (external_id or sni_hostname required)",
     "no-tenant", "prisma.<ref>"),
    (PREFIX + 'FATAL:  password authentication failed for user "prisma"', "auth-failed", "Check the password"),
    (PREFIX + "FATAL:  (EAUTHQUERY) user not found in the database", "role-missing", "step 1"),
    (PREFIX + 'FATAL:  role "prisma" does not exist', "role-missing", "step 1"),
    (PREFIX + "FATAL:  (ESSLREQUIRED) SSL connection is required for user: prisma", "ssl-required", "sslmode=require"),
    ("connection failed: server does not support SSL, but SSL was required", "ssl-unsupported", "sandbox"),
    (PREFIX + "FATAL:  (EMAXCONN) max client connections reached, limit: 200", "max-clients", "connection_limit=1"),
    ('connection failed: could not translate host name "nope.invalid" to address: Name or service not known', "dns",
     "Connect dialog"),
    (PREFIX + "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?", "refused",
     "5432 session"),
    ("connection timeout expired", "unreachable", "IPv6"),
    (PREFIX + "Network is unreachable", "unreachable", "session pooler"),
    (PREFIX + "fe_sendauth: no password supplied", "no-password", "SUPATUI_DB_PASSWORD"),
    (PREFIX + "FATAL:  something new and strange", "connect-failed", "Connect dialog"),
])
def test_known_texts_map_to_advice(text: str, code: str, words: str) -> None:
    error = explain_connect_error(psycopg.OperationalError(text), EP)
    assert error.code == code
    assert words in error.hint
    assert error.message and "Traceback" not in error.message


def test_password_hint_is_the_callers() -> None:
    error = explain_connect_error(psycopg.OperationalError("FATAL:  password authentication failed for user \"x\""), EP,
                                  password_hint="Reset it in the Dashboard.")
    assert error.hint == "Reset it in the Dashboard."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_for_real() -> None:
    with pytest.raises(SupatuiError) as info:
        connect(f"postgresql://prisma.abcdefghijklmnopqrst:pw@127.0.0.1:{_free_port()}/postgres", connect_timeout=3)
    assert info.value.code == "refused"
    assert "pw" not in info.value.message.split("@")[0]


def test_bad_url_is_an_input_error() -> None:
    with pytest.raises(SupatuiError) as info:
        connect("mysql://x@y/z")
    assert info.value.code == "input"


# --- against the sandbox (a real PostgreSQL behind the Supavisor-style router) ---

def test_admin_connects_through_session_pooler(sandbox) -> None:  # type: ignore[no-untyped-def]
    with connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session") as conn:
        assert current_user(conn) == "postgres"
    # The URL form with Prisma params works too (they are stripped for libpq).
    with connect(sandbox.session_url + "?pgbouncer=true&connection_limit=1") as conn:
        assert current_user(conn) == "postgres"


def test_transaction_port_runs_repeated_queries(sandbox) -> None:  # type: ignore[no-untyped-def]
    """prepare_threshold=None: no named statements through the transaction pooler (42P05 otherwise)."""
    with connect(sandbox.transaction_url) as a, connect(sandbox.transaction_url) as b:
        for _ in range(8):
            for conn in (a, b):
                with conn.cursor() as cur:
                    cur.execute("select %s::int", (1,))
                    assert cur.fetchone() == (1,)


def test_wrong_password_for_real(sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SupatuiError) as info:
        connect_target(sandbox.target, "postgres", "not-the-password", "session", password_hint="HINT")
    assert info.value.code == "auth-failed" and info.value.hint == "HINT"


def test_wrong_ref_for_real(sandbox) -> None:  # type: ignore[no-untyped-def]
    wrong = ConnectionTarget("zzzzzzzzzzzzzzzzzzzz", sandbox.pooler_host, sandbox.session_port, sandbox.transaction_port)
    with pytest.raises(SupatuiError) as info:
        connect_target(wrong, "postgres", sandbox.postgres_password, "session")
    assert info.value.code == "tenant-not-found"
    assert "Connect dialog" in info.value.hint


def test_user_without_ref_for_real(sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SupatuiError) as info:
        connect(f"postgresql://postgres@{sandbox.pooler_host}:{sandbox.session_port}/postgres",
                password=sandbox.postgres_password)
    assert info.value.code in ("tenant-not-found", "no-tenant")


def test_direct_host_that_does_not_resolve_is_the_ipv6_case() -> None:
    """db.<ref>.supabase.co has only an AAAA record: on an IPv4-only network libpq says it does not resolve
    (real paste in the catalogue's ipv6-direct-host patterns); a typo hint ('copy the host again') misleads."""
    direct = Endpoint("postgres", "db.abcdefghijklmnopqrst.supabase.co", 5432)
    text = ('connection failed: could not translate host name "db.abcdefghijklmnopqrst.supabase.co" to address: '
            "Name or service not known")
    error = explain_connect_error(psycopg.OperationalError(text), direct)
    assert error.code == "dns"
    assert "IPv6" in error.message and "session pooler" in error.hint.lower()
