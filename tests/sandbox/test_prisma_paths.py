"""What a Prisma user meets beyond the guide's happy path, against Supabase's own source.

Files are in github.com/supabase/postgres: ``init/`` = migrations/db/init-scripts/, ``mig/`` =
migrations/db/migrations/, ``migrate.sh`` = migrations/db/migrate.sh (it runs the init scripts as the
then-superuser ``postgres``, in database ``postgres`` only). The role is made with the guide's step 1
(BYPASSRLS, CREATEDB, its grants on ``public``) under a name of its own and dropped afterwards; whatever
changes the shared sandbox runs in a transaction that is rolled back.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg import sql

from supatui.sandbox import SandboxInfo

GUIDE_GRANTS = (
    "grant {r} to postgres", "grant usage on schema public to {r}", "grant create on schema public to {r}",
    "grant all on all tables in schema public to {r}", "grant all on all routines in schema public to {r}",
    "grant all on all sequences in schema public to {r}",
    "alter default privileges for role postgres in schema public grant all on tables to {r}",
    "alter default privileges for role postgres in schema public grant all on routines to {r}",
    "alter default privileges for role postgres in schema public grant all on sequences to {r}",
)


@dataclass
class GuideRole:
    name: str
    password: str
    sandbox: SandboxInfo

    def connect(self, database: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(host="127.0.0.1", port=self.sandbox.direct_port, dbname=database,
                               user=self.name, password=self.password, autocommit=True)


@pytest.fixture(scope="module")
def admin(sandbox: SandboxInfo) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(sandbox.direct_url, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def guide_role(sandbox: SandboxInfo, admin: psycopg.Connection[Any]) -> Iterator[GuideRole]:
    """A role made exactly as the guide's step 1 makes ``prisma``."""
    role = GuideRole(f"prisma_{secrets.token_hex(4)}", secrets.token_hex(16), sandbox)
    ident = sql.Identifier(role.name)
    admin.execute(sql.SQL("create user {} with password {} bypassrls createdb").format(ident, sql.Literal(role.password)))
    for statement in GUIDE_GRANTS:
        admin.execute(sql.SQL(statement.replace("{r}", "{}")).format(ident))
    try:
        yield role
    finally:
        admin.execute(sql.SQL("drop owned by {}").format(ident))
        admin.execute(sql.SQL("drop role {}").format(ident))


def _error(conn: psycopg.Connection[Any], statement: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as caught, conn.transaction(force_rollback=True):
        conn.execute(statement)
    return caught.value


def _one(conn: psycopg.Connection[Any], query: str) -> Any:
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def test_the_prisma_role_cannot_see_into_auth_or_extensions(guide_role: GuideRole) -> None:
    """init/00000000000001-auth-schema.sql grants USAGE on auth to anon, authenticated, service_role only;
    init/00000000000000-initial-schema.sql USAGE on extensions to postgres and the API roles only; only
    postgres's search_path has extensions (init/00000000000003-post-setup.sql). So in a Prisma schema a
    relation to auth.users fails as prisma, and @default(dbgenerated(...)) works only with gen_random_uuid()."""
    with guide_role.connect() as conn:
        for statement, text in (("select count(*) from auth.users", "permission denied for schema auth"),
                                ("select extensions.uuid_generate_v4()", "permission denied for schema extensions"),
                                ("create table extensions.mine (id int)", "permission denied for schema extensions"),
                                ("create schema if not exists auth", "permission denied for database postgres")):
            error = _error(conn, statement)
            assert error.sqlstate == "42501" and text in str(error), statement
        missing = _error(conn, "select uuid_generate_v4()")
        assert missing.sqlstate == "42883"
        assert _one(conn, "show search_path") == '"$user", public'
        assert _one(conn, "select gen_random_uuid() is not null")  # core PostgreSQL, in pg_catalog


def test_the_shadow_database_has_no_supabase_schemas(guide_role: GuideRole, admin: psycopg.Connection[Any]) -> None:
    """migrate.sh runs the init scripts in database postgres only, so a database Prisma creates (CREATEDB,
    from template1) has no auth, extensions or storage: a migration referencing auth.users or
    extensions.uuid_generate_v4() fails there (P3006, 'schema "auth" does not exist'; prisma/orm#17734)."""
    name = f"shadow_{secrets.token_hex(4)}"
    with guide_role.connect() as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        with guide_role.connect(name) as shadow:
            schemas = {row[0] for row in shadow.execute("select nspname from pg_namespace")}
            assert not schemas & {"auth", "extensions", "storage", "realtime", "pgbouncer"}, schemas
            assert [row[0] for row in shadow.execute("select extname from pg_extension")] == ["plpgsql"]
            error = _error(shadow, "create table p (id uuid references auth.users (id))")
            assert error.sqlstate == "3F000" and 'schema "auth" does not exist' in str(error)
    finally:
        admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


def test_dropping_schemas_as_prisma_migrate_reset_does(guide_role: GuideRole, admin: psycopg.Connection[Any]) -> None:
    """Prisma's reset runs DROP SCHEMA "<s>" CASCADE for each schema, else drops objects one by one.
    public is pg_database_owner's and postgres owns the database (migrate.sh): as prisma the drop fails
    (public and its grants survive), as postgres it succeeds and the new public has none of Supabase's grants
    (prisma/orm#16588, supabase/supabase#13579). auth is supabase_admin's (init/00000000000001-auth-schema.sql);
    extensions is postgres's, as migrate.sh creates it, so listing it in `schemas` lets a reset drop it."""
    with guide_role.connect() as conn:
        error = _error(conn, "drop schema public cascade")
        assert error.sqlstate == "42501" and "must be owner of schema public" in str(error)
    assert _one(admin, "select nspowner::regrole::text from pg_namespace where nspname = 'public'") == "pg_database_owner"
    with admin.transaction(force_rollback=True):
        admin.execute("drop schema public cascade")
        admin.execute("create schema public")
        assert not _one(admin, "select has_schema_privilege('anon', 'public', 'USAGE')")
    with admin.transaction(force_rollback=True):
        admin.execute("drop schema extensions cascade")
        assert _one(admin, "select count(*) from pg_extension where extname in ('uuid-ossp', 'pgcrypto')") == 0
    error = _error(admin, "drop schema auth cascade")
    assert error.sqlstate == "42501" and "must be owner of schema auth" in str(error)


def test_row_level_security_without_a_policy(guide_role: GuideRole, admin: psycopg.Connection[Any]) -> None:
    """The guide's role has BYPASSRLS; postgres and service_role have it (mig/10000000000000_demote-postgres.sql,
    init/00000000000000-initial-schema.sql), anon and authenticated do not: a table with RLS on and no
    policy shows its rows to Prisma and none to the Data API's roles or a role made without BYPASSRLS."""
    plain = f"plain_{secrets.token_hex(4)}"
    with admin.transaction(force_rollback=True):
        admin.execute("create table public.rls_probe (id int)")
        admin.execute("insert into public.rls_probe values (1), (2)")
        admin.execute("alter table public.rls_probe enable row level security")
        admin.execute(sql.SQL("create role {} nobypassrls").format(sql.Identifier(plain)))
        admin.execute(sql.SQL("grant {} to postgres").format(sql.Identifier(plain)))  # PG16+: SET needs a grant
        admin.execute(sql.SQL("grant select on public.rls_probe to anon, authenticated, service_role, {}")
                      .format(sql.Identifier(plain)))
        counts = {}
        for role in (guide_role.name, "service_role", "anon", "authenticated", plain):
            admin.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
            counts[role] = _one(admin, "select count(*) from public.rls_probe")
            admin.execute("reset role")
        counts["postgres"] = _one(admin, "select count(*) from public.rls_probe")
    assert counts == {guide_role.name: 2, "service_role": 2, "anon": 0, "authenticated": 0, plain: 0, "postgres": 2}


AUTH_TABLES = {"users", "refresh_tokens", "instances", "audit_log_entries", "schema_migrations"}


def test_auth_has_the_init_scripts_tables(admin: psycopg.Connection[Any]) -> None:
    """init/00000000000001-auth-schema.sql: five tables, all supabase_auth_admin's; what `prisma db pull`
    with schemas = ["public", "auth"] shows (GoTrue's own migrations add more on a hosted project)."""
    rows = admin.execute("select relname, relowner::regrole::text from pg_class "
                         "where relnamespace = 'auth'::regnamespace and relkind = 'r'").fetchall()
    assert {name for name, _ in rows} == AUTH_TABLES
    assert {owner for _, owner in rows} == {"supabase_auth_admin"}
    assert _one(admin, "select count(*) from auth.schema_migrations") == 7
