"""The sandbox against facts from Supabase's own source, each with the file it comes from.

Files are in github.com/supabase/postgres: ``init/`` = migrations/db/init-scripts/, ``mig/`` =
migrations/db/migrations/ (newest versions), ``privs.sql`` = migrations/tests/database/privs.sql,
``supautils.conf.j2`` = ansible/files/postgresql_config/supautils.conf.j2, ``schema-16.sql`` =
migrations/schema-16.sql. Everything runs as ``postgres`` (as a Supabase user would) on the shared
sandbox; whatever changes something runs in a transaction that is rolled back.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from supatui.sandbox import Sandbox, SandboxInfo
from tests.conftest import IN_CI

ATTRS = "rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls"
# role -> (super, inherit, createrole, createdb, login, replication, bypassrls), source
ROLE_ATTRIBUTES = {
    "supabase_admin": ((True, True, True, True, True, True, True), "init/00000000000000-initial-schema.sql"),
    "postgres": ((False, True, True, True, True, True, True), "mig/10000000000000_demote-postgres.sql"),
    "anon": ((False, True, False, False, False, False, False), "mig/20230529180330_alter_api_roles_for_inherit.sql"),
    "authenticated": ((False, True, False, False, False, False, False),
                      "mig/20230529180330_alter_api_roles_for_inherit.sql"),
    "service_role": ((False, True, False, False, False, False, True),
                     "init/00000000000000-initial-schema.sql + mig/20230529180330_alter_api_roles_for_inherit.sql"),
    "authenticator": ((False, False, False, False, True, False, False), "init/00000000000000-initial-schema.sql"),
    "supabase_auth_admin": ((False, False, False, False, True, False, False),
                            "init/00000000000001-auth-schema.sql, mig/20260821154147_revoke_createrole_from_auth_admin.sql"),
    "supabase_storage_admin": ((False, False, True, False, True, False, False), "init/00000000000002-storage-schema.sql"),
    "supabase_realtime_admin": ((False, False, True, False, True, True, False), "init/00000000000003-realtime-schema.sql"),
    "supabase_etl_admin": ((False, True, False, False, True, True, False), "init/00000000000000-initial-schema.sql"),
    "supabase_replication_admin": ((False, True, False, False, True, True, False),
                                   "init/00000000000000-initial-schema.sql"),
    "supabase_read_only_user": ((False, True, False, False, True, False, True), "init/00000000000000-initial-schema.sql"),
    "dashboard_user": ((False, True, True, True, False, True, False), "init/00000000000003-post-setup.sql"),
}

# (member, role, admin option or None for "any", source); False in the last-but-one slot: must NOT be a member
MEMBERSHIPS: list[tuple[str, str, bool | None, bool, str]] = [
    ("authenticator", "anon", None, True, "init/00000000000000-initial-schema.sql"),
    ("authenticator", "authenticated", None, True, "init/00000000000000-initial-schema.sql"),
    ("authenticator", "service_role", None, True, "init/00000000000000-initial-schema.sql"),
    ("authenticator", "supabase_admin", None, False, "mig/20221103090837_revoke_admin.sql"),
    ("postgres", "anon", True, True, "mig/20250605172253_grant_with_admin_to_postgres_16_and_above.sql"),
    ("postgres", "authenticated", True, True, "mig/20250605172253_grant_with_admin_to_postgres_16_and_above.sql"),
    ("postgres", "service_role", True, True, "mig/20250605172253_grant_with_admin_to_postgres_16_and_above.sql"),
    ("postgres", "pg_read_all_data", None, True, "mig/20240606060239_grant_predefined_roles_to_postgres.sql"),
    ("postgres", "pg_signal_backend", None, True, "mig/20240606060239_grant_predefined_roles_to_postgres.sql"),
    ("postgres", "pg_monitor", None, True, "mig/20230306081037_grant_pg_monitor_to_postgres.sql"),
    ("postgres", "supabase_superuser", None, True, "mig/20251215120934_supabase_superuser.sql"),
    ("postgres", "supabase_auth_admin", None, False, "mig/20250421084701_revoke_admin_roles_from_postgres.sql"),
    ("postgres", "supabase_storage_admin", None, False, "mig/20250421084701_revoke_admin_roles_from_postgres.sql"),
    ("supabase_storage_admin", "authenticator", None, True,
     "mig/20231013070755_grant_authenticator_to_supabase_storage_admin.sql"),
    ("supabase_storage_admin", "anon", None, False, "mig/20231013070755_grant_authenticator_to_supabase_storage_admin.sql"),
    ("supabase_read_only_user", "pg_read_all_data", None, True, "init/00000000000000-initial-schema.sql"),
]

SCHEMA_OWNERS = {
    "auth": ("supabase_admin", "init/00000000000001-auth-schema.sql"),
    "storage": ("supabase_admin", "init/00000000000002-storage-schema.sql"),
    "extensions": ("postgres", "init/00000000000000-initial-schema.sql, run as postgres by migrations/db/migrate.sh"),
    "realtime": ("supabase_admin", "init/00000000000003-realtime-schema.sql"),
}

# (role, schema, privilege, expected, source); "USAGE WITH GRANT OPTION" checks the grant option
SCHEMA_PRIVILEGES: list[tuple[str, str, str, bool, str]] = [
    ("postgres", "auth", "USAGE", True, "mig/20211115181400_update-auth-permissions.sql"),
    ("postgres", "auth", "CREATE", False, "mig/20250421084701_revoke_admin_roles_from_postgres.sql"),
    ("postgres", "storage", "USAGE WITH GRANT OPTION", True,
     "mig/20250709135250_grant_storage_schema_to_postgres_with_grant_option.sql"),
    ("postgres", "storage", "CREATE", False, "mig/20250421084701_revoke_admin_roles_from_postgres.sql"),
    ("postgres", "extensions", "USAGE", True, "privs.sql"),
    ("postgres", "realtime", "USAGE WITH GRANT OPTION", True,
     "mig/20260506172403_grant_realtime_schema_to_postgres_with_grant_option.sql"),
    ("postgres", "realtime", "CREATE", False, "init/00000000000003-realtime-schema.sql"),
    ("supabase_realtime_admin", "realtime", "CREATE WITH GRANT OPTION", True, "init/00000000000003-realtime-schema.sql"),
    ("postgres", "extensions", "CREATE", True, "privs.sql"),
    ("postgres", "public", "CREATE", True, "privs.sql"),
    ("supabase_auth_admin", "auth", "CREATE", True, "init/00000000000001-auth-schema.sql"),
    ("supabase_storage_admin", "storage", "CREATE WITH GRANT OPTION", True, "init/00000000000002-storage-schema.sql"),
    ("dashboard_user", "auth", "CREATE", True, "init/00000000000003-post-setup.sql"),
    ("dashboard_user", "storage", "CREATE", True, "init/00000000000003-post-setup.sql"),
    *[(role, schema, "USAGE", True, "init/00000000000000-initial-schema.sql + -auth-schema.sql + -storage-schema.sql")
      for role in ("anon", "authenticated", "service_role")
      for schema in ("public", "extensions", "auth", "storage", "realtime")],
    *[(role, schema, "CREATE", False, "privs.sql")
      for role in ("anon", "authenticated", "service_role")
      for schema in ("public", "extensions", "auth", "storage", "realtime")],
]

# (owner, schema, object type r/S/f, grantee, grantable, source)
DEFAULT_PRIVILEGES: list[tuple[str, str, str, str, bool, str]] = [
    *[("supabase_admin", "public", kind, grantee, False, "init/00000000000000-initial-schema.sql")
      for kind in "rSf" for grantee in ("postgres", "anon", "authenticated", "service_role")],
    *[("supabase_auth_admin", "auth", kind, grantee, False, "mig/20211115181400_update-auth-permissions.sql")
      for kind in "rSf" for grantee in ("postgres", "dashboard_user")],
    *[("supabase_storage_admin", "storage", kind, grantee, False, "init/00000000000002-storage-schema.sql")
      for kind in "rSf" for grantee in ("postgres", "anon", "authenticated", "service_role")],
    *[("supabase_admin", "extensions", kind, "postgres", True, "mig/20230224042246_grant_extensions_perms_for_postgres.sql")
      for kind in "rSf"],
]

EXTENSIONS_IN_SCHEMA = {"uuid-ossp": "init/00000000000000-initial-schema.sql",
                        "pgcrypto": "init/00000000000000-initial-schema.sql",
                        "pg_stat_statements": "schema-16.sql"}
# supautils.privileged_extensions entries the sandbox's binaries have: postgres may create them
ALLOWED_HERE = ("citext", "hstore", "vector", "pg_trgm", "btree_gist", "dblink", "postgres_fdw", "unaccent", "ltree")


def _one(conn: psycopg.Connection[Any], query: str, *params: object) -> Any:
    row = conn.execute(query, list(params) or None).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


@pytest.fixture(scope="module")
def conn(sandbox: SandboxInfo) -> psycopg.Connection[Any]:
    with psycopg.connect(sandbox.direct_url, autocommit=True) as connection:
        yield connection


@pytest.mark.parametrize("role", sorted(ROLE_ATTRIBUTES))
def test_role_attributes(conn: psycopg.Connection[Any], role: str) -> None:
    expected, source = ROLE_ATTRIBUTES[role]
    assert _one(conn, f"select {ATTRS} from pg_roles where rolname = %s", role) == expected, source


@pytest.mark.parametrize(("member", "role", "admin", "present", "source"), MEMBERSHIPS,
                         ids=[f"{m}-in-{r}" for m, r, *_ in MEMBERSHIPS])
def test_memberships(conn: psycopg.Connection[Any], member: str, role: str, admin: bool | None, present: bool,
                     source: str) -> None:
    rows = conn.execute("select m.admin_option from pg_auth_members m where m.member = %s::regrole "
                        "and m.roleid = %s::regrole", [member, role]).fetchall()
    assert bool(rows) == present, source
    if admin is not None:
        assert any(row[0] == admin for row in rows), source


@pytest.mark.parametrize("schema", sorted(SCHEMA_OWNERS))
def test_schema_owners(conn: psycopg.Connection[Any], schema: str) -> None:
    owner, source = SCHEMA_OWNERS[schema]
    assert _one(conn, "select nspowner::regrole::text from pg_namespace where nspname = %s", schema) == owner, source


@pytest.mark.parametrize(("role", "schema", "privilege", "expected", "source"), SCHEMA_PRIVILEGES,
                         ids=[f"{r}-{s}-{p.split()[0]}{'*' if 'GRANT' in p else ''}" for r, s, p, *_ in SCHEMA_PRIVILEGES])
def test_schema_privileges(conn: psycopg.Connection[Any], role: str, schema: str, privilege: str, expected: bool,
                           source: str) -> None:
    assert _one(conn, "select has_schema_privilege(%s, %s, %s)", role, schema, privilege) is expected, source


def test_database_privileges(conn: psycopg.Connection[Any]) -> None:
    for privilege in ("CONNECT", "TEMPORARY", "CREATE"):
        assert _one(conn, "select has_database_privilege('postgres', 'postgres', %s)", privilege), "privs.sql"
    assert _one(conn, "select has_database_privilege('supabase_auth_admin', 'postgres', 'CREATE')"), \
        "mig/20251121141100_supabase_auth_admin_db_grants.sql"
    assert _one(conn, "select has_database_privilege('supabase_storage_admin', 'postgres', 'CREATE')"), \
        "init/00000000000002-storage-schema.sql"


@pytest.mark.parametrize(("owner", "schema", "kind", "grantee", "grantable", "source"), DEFAULT_PRIVILEGES,
                         ids=[f"{o}-{s}-{k}-{g}" for o, s, k, g, *_ in DEFAULT_PRIVILEGES])
def test_default_privileges(conn: psycopg.Connection[Any], owner: str, schema: str, kind: str, grantee: str,
                            grantable: bool, source: str) -> None:
    rows = conn.execute(
        "select a.privilege_type, a.is_grantable from pg_default_acl d, aclexplode(d.defaclacl) a "
        "where d.defaclrole = %s::regrole and d.defaclnamespace = %s::regnamespace and d.defaclobjtype = %s "
        "and a.grantee = %s::regrole", [owner, schema, kind, grantee]).fetchall()
    expected = {"r": "SELECT", "S": "USAGE", "f": "EXECUTE"}[kind]
    assert (expected, grantable) in rows or (grantable is False and (expected, True) in rows), (source, rows)


@pytest.mark.parametrize("name", sorted(EXTENSIONS_IN_SCHEMA))
def test_preinstalled_extensions_live_in_extensions(conn: psycopg.Connection[Any], name: str) -> None:
    assert _one(conn, "select extnamespace::regnamespace::text from pg_extension where extname = %s", name) \
        == "extensions", EXTENSIONS_IN_SCHEMA[name]


def test_extension_functions_answer(conn: psycopg.Connection[Any]) -> None:
    """uuid-ossp and pgcrypto as a schema or seed script calls them (init/00000000000000-initial-schema.sql)."""
    assert _one(conn, "select extensions.uuid_generate_v4()::text ~ '^[0-9a-f-]{36}$'")
    assert str(_one(conn, "select extensions.uuid_generate_v5(extensions.uuid_ns_url(), 'https://supabase.com')")) \
        == "106a6d70-0723-58e0-9533-91dfd2d3c7d3"  # = uuid.uuid5(uuid.NAMESPACE_URL, "https://supabase.com")
    assert _one(conn, "select encode(extensions.digest('abc', 'sha1'), 'hex')") == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert _one(conn, "select encode(extensions.hmac('data', 'key', 'sha256'), 'hex')") \
        == "5031fe3d989c6d1537a013fa6e739da23463fdaec3b70137d828e36ace221bd0"
    assert _one(conn, "select extensions.crypt('password', '$1$saltsalt$')") == "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"
    assert _one(conn, "select extensions.crypt('pw', h) = h from (select extensions.crypt('pw', "
                      "extensions.gen_salt('md5')) as h) s")
    assert _one(conn, "select length(extensions.gen_random_bytes(32))") == 32
    assert _one(conn, "select count(*) >= 0 from extensions.pg_stat_statements")  # preloaded, as on Supabase


@pytest.mark.parametrize("name", ALLOWED_HERE)
def test_postgres_creates_allowed_extensions(conn: psycopg.Connection[Any], name: str) -> None:
    """supautils.conf.j2: supautils.privileged_extensions, privileged_role = 'postgres'."""
    if int(_one(conn, "show server_version_num")) < 180000 and not IN_CI:  # the overlay needs extension_control_path
        pytest.skip("the sandbox's PostgreSQL here is older than 18 (system binaries)")
    with conn.transaction(force_rollback=True):
        conn.execute(f'create extension "{name}" with schema extensions')
        assert _one(conn, "select extowner::regrole::text from pg_extension where extname = %s", name) == "postgres"


def _error(conn: psycopg.Connection[Any], statement: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as caught, conn.transaction(force_rollback=True):
        conn.execute(statement)
    return caught.value


def test_extensions_outside_the_list_or_the_binaries(conn: psycopg.Connection[Any]) -> None:
    """Not in supautils.privileged_extensions (file_fdw): superuser only, as on Supabase. Not in the binaries
    (postgis, pg_graphql): PostgreSQL's own 'is not available' (supatui's diagnoses explain the sandbox)."""
    denied = _error(conn, "create extension file_fdw")
    assert denied.sqlstate == "42501" and 'permission denied to create extension "file_fdw"' in str(denied)
    for name in ("postgis", "pg_graphql"):
        missing = _error(conn, f"create extension {name}")
        assert missing.sqlstate == "0A000" and f'extension "{name}" is not available' in str(missing)


def test_auth_and_storage_ownership_as_postgres_meets_it(conn: psycopg.Connection[Any]) -> None:
    """init/00000000000001-auth-schema.sql, mig/20211124212715_update-auth-owner.sql,
    mig/20211115181400_update-auth-permissions.sql, mig/20250421084701_revoke_admin_roles_from_postgres.sql."""
    assert _one(conn, "select relowner::regrole::text from pg_class where oid = 'auth.users'::regclass") \
        == "supabase_auth_admin"
    assert _one(conn, "select proowner::regrole::text from pg_proc where oid = 'auth.uid()'::regprocedure") \
        == "supabase_auth_admin"
    with conn.transaction(force_rollback=True):
        assert _one(conn, "select auth.uid()") is None
        conn.execute("select set_config('request.jwt.claim.sub', '6c5b1c9c-7b6d-4d4e-9c55-0b1f7d1c2a10', true)")
        assert str(_one(conn, "select auth.uid()")) == "6c5b1c9c-7b6d-4d4e-9c55-0b1f7d1c2a10"
        conn.execute("insert into auth.users (id, email) values (auth.uid(), 'a@example.com')")
        conn.execute("create table public.profiles (id uuid primary key references auth.users (id) on delete cascade)")
        conn.execute("insert into public.profiles values (auth.uid())")
    drop = _error(conn, "drop table auth.users")
    assert drop.sqlstate == "42501" and "must be owner of table users" in str(drop)
    alter = _error(conn, "alter table auth.users add column nickname text")
    assert alter.sqlstate == "42501" and "must be owner of table users" in str(alter)
    for schema in ("auth", "storage"):
        create = _error(conn, f"create table {schema}.mine (id int)")
        assert create.sqlstate == "42501" and f"permission denied for schema {schema}" in str(create)


def test_status_names_the_major_when_it_is_not_supabases(sandbox: SandboxInfo, sandbox_manager: Sandbox,
                                                         conn: psycopg.Connection[Any]) -> None:
    """Supabase's new projects run PostgreSQL 17 (supabase/postgres ansible/vars.yml: postgres_major)."""
    status = sandbox_manager.status()
    major = int(_one(conn, "show server_version_num")) // 10000
    assert status.postgres_major == major
    mentioned = [note for note in status.notes if f"PostgreSQL {major} here" in note]
    assert bool(mentioned) == (major != 17), status.notes
