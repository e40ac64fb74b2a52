"""The sandbox is shaped like a Supabase project: roles, a demoted postgres, and the guide's step 1 as on PG16+."""

from __future__ import annotations

import psycopg
import pytest

from supatui.sandbox import SandboxInfo
from supatui.sandbox.roles import ROLES

# The guide's step 1, literally (supabase.com/docs/guides/database/prisma), including the password change.
GUIDE_STEP1 = [
    """create user "prisma" with password 'custom_password' bypassrls createdb""",
    """grant "prisma" to "postgres\"""",
    "grant usage on schema public to prisma",
    "grant create on schema public to prisma",
    "grant all on all tables in schema public to prisma",
    "grant all on all routines in schema public to prisma",
    "grant all on all sequences in schema public to prisma",
    "alter default privileges for role postgres in schema public grant all on tables to prisma",
    "alter default privileges for role postgres in schema public grant all on routines to prisma",
    "alter default privileges for role postgres in schema public grant all on sequences to prisma",
    """alter user "prisma" with password 'new_password'""",
]


def test_postgres_is_not_superuser_but_has_supabase_attributes(sandbox: SandboxInfo) -> None:
    with psycopg.connect(sandbox.session_url) as conn:
        row = conn.execute("select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolcanlogin "
                           "from pg_roles where rolname = current_user").fetchone()
        assert row == (False, True, True, True, True, True)
        assert conn.execute("select rolsuper from pg_roles where rolname = 'supabase_admin'").fetchone() == (True,)
        assert conn.execute("select pg_get_userbyid(datdba) from pg_database where datname = 'postgres'").fetchone() \
            == ("postgres",)
        assert int(conn.execute("show server_version_num").fetchone()[0]) >= 160000  # type: ignore[index]
        present = {r[0] for r in conn.execute("select rolname from pg_roles where rolname = any(%s)", [list(ROLES)])}
        assert present == set(ROLES)
        members = {r[0] for r in conn.execute(
            "select b.rolname from pg_auth_members m join pg_roles a on a.oid = m.member "
            "join pg_roles b on b.oid = m.roleid where a.rolname = 'postgres'")}
        assert {"anon", "authenticated", "service_role", "pg_read_all_data", "pg_signal_backend"} <= members
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("alter role supabase_admin nosuperuser")


def _run(conn: psycopg.Connection[tuple[object, ...]], statements: list[str]) -> list[tuple[str, str, list[str]]]:
    """Run each statement in a savepoint; (statement, status or SQLSTATE, notices)."""
    results = []
    for statement in statements:
        notices: list[str] = []
        conn.add_notice_handler(lambda diag, seen=notices: seen.append(diag.message_primary or ""))
        try:
            with conn.transaction():
                status = conn.execute(statement).statusmessage or ""
        except psycopg.Error as exc:
            status = exc.sqlstate or "?"
        conn._notice_handlers.clear()  # one statement's notices at a time
        results.append((statement, status, notices))
    return results


def test_guide_step1_literal_sql_as_postgres_and_second_run(sandbox: SandboxInfo) -> None:
    """Everything happens in one transaction that is rolled back, so the shared sandbox keeps no `prisma`."""
    with psycopg.connect(sandbox.session_url) as conn, conn.transaction(force_rollback=True):
        conn.execute("select set_config('lock_timeout', '5s', true)")
        if conn.execute("select 1 from pg_roles where rolname = 'prisma'").fetchone():
            conn.execute("drop owned by prisma; drop role prisma")
        first = _run(conn, GUIDE_STEP1)
        assert [status for _, status, _ in first] == [
            "CREATE ROLE", "GRANT ROLE", "GRANT", "GRANT", "GRANT", "GRANT", "GRANT",
            "ALTER DEFAULT PRIVILEGES", "ALTER DEFAULT PRIVILEGES", "ALTER DEFAULT PRIVILEGES", "ALTER ROLE"]
        row = conn.execute("select rolbypassrls, rolcreatedb, rolsuper from pg_roles where rolname = 'prisma'").fetchone()
        assert row == (True, True, False)
        # notes §7: the second run fails on line 1 (PG16+: 42710), line 2 only notices, the rest succeed.
        second = _run(conn, GUIDE_STEP1)
        assert second[0][1] == "42710"
        assert second[1][1] == "GRANT ROLE"
        assert any("already been granted membership" in notice for notice in second[1][2]), second[1][2]
        assert all(not status[:1].isdigit() for _, status, _ in second[1:])
