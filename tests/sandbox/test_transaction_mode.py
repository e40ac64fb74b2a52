"""The transaction port really pools by transaction (the router's own pool, as Supavisor), as on Supabase."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from supatui.sandbox import SandboxInfo
from tests.sandbox.roles import login_role


@pytest.fixture
def fresh_role(sandbox: SandboxInfo) -> Iterator[tuple[str, str]]:
    """A role created after the sandbox started (its own pool, so tests are deterministic)."""
    assert sandbox.transaction_pooling
    with login_role(sandbox, "late") as role:
        yield role


def test_named_prepared_statements_collide_on_the_transaction_port(sandbox: SandboxInfo,
                                                                   fresh_role: tuple[str, str]) -> None:
    name, password = fresh_role
    url = sandbox.target.url(name, password, "transaction")
    with psycopg.connect(url, autocommit=True) as first, psycopg.connect(url, autocommit=True) as second:
        assert first.execute("select 1", prepare=True).fetchone() == (1,)
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement, match='prepared statement "_pg3_0" already exists'):
            second.execute("select 1", prepare=True)


def test_the_session_port_keeps_prepared_statements_per_client(sandbox: SandboxInfo, fresh_role: tuple[str, str]) -> None:
    name, password = fresh_role
    url = sandbox.target.url(name, password, "session")
    with psycopg.connect(url, autocommit=True) as first, psycopg.connect(url, autocommit=True) as second:
        assert first.execute("select 1", prepare=True).fetchone() == (1,)
        assert second.execute("select 1", prepare=True).fetchone() == (1,)


def test_new_roles_and_password_changes_work_without_reload(sandbox: SandboxInfo, fresh_role: tuple[str, str]) -> None:
    name, password = fresh_role
    url = sandbox.target.url(name, password, "transaction")
    with psycopg.connect(url, prepare_threshold=None) as conn:
        assert conn.execute("select current_user::text").fetchone() == (name,)
    new_password = secrets.token_hex(16)
    with psycopg.connect(sandbox.direct_url, autocommit=True) as conn:
        conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(name), sql.Literal(new_password)))
    with psycopg.connect(sandbox.target.url(name, new_password, "transaction"), prepare_threshold=None) as conn:
        assert conn.execute("select current_user::text").fetchone() == (name,)
    with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{name}"'):
        psycopg.connect(url, connect_timeout=5)


def test_pgbouncer_itself_is_not_a_login_for_clients(sandbox: SandboxInfo) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(sandbox.target.url("pgbouncer", "guess", "transaction"), connect_timeout=5)
