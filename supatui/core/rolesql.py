"""Step 1's SQL: the guide's statements, quoted by psycopg, plus the catalog checks that verify them.

The guide pastes the password into a string literal, which breaks on a quote and sends the
plaintext to the server (PostgreSQL logs failing statements, and every DDL with
``log_statement=ddl``). Here names go through ``sql.Identifier`` and the password is replaced by
its SCRAM-SHA-256 verifier computed on this machine (as psql's ``\\password`` does, see
core/scram.py), so the plaintext never leaves it. The first statement is
``create user`` when the role is missing and ``alter user … with password`` when it exists,
so a rerun does not fail on line 1 (notes supabase §7).
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from supatui.core import scram

MASK_LITERAL = "****"

# Supabase's own roles (supautils reserved_roles): the guide's SQL must never touch them.
RESERVED_ROLES = frozenset({
    "postgres", "supabase_admin", "supabase_auth_admin", "supabase_storage_admin", "supabase_read_only_user",
    "supabase_replication_admin", "supabase_realtime_admin", "dashboard_user", "pgbouncer", "service_role",
    "authenticator", "authenticated", "anon", "pgsodium_keyholder", "pgsodium_keyiduser", "pgsodium_keymaker",
})

# Object kinds of the default privileges: pg_default_acl.defaclobjtype -> the guide's word.
DEFAULT_ACL_KINDS: dict[str, str] = {"r": "tables", "f": "routines", "S": "sequences"}
# Privileges each kind must carry for the role (a subset of ALL, stable across PG 15-18).
DEFAULT_ACL_NEEDS: dict[str, frozenset[str]] = {
    "r": frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}),
    "f": frozenset({"EXECUTE"}),
    "S": frozenset({"USAGE", "SELECT", "UPDATE"}),
}


@dataclass(frozen=True)
class Statement:
    query: sql.Composed  # what runs (holds the real password in the first statement)
    shown: str  # what is shown: the same statement with the password as '****'
    kind: str  # "create", "alter", "attributes", "grant", "default"


def validate_role_name(role: str) -> str | None:
    """A message when ``role`` cannot be the Prisma role, else None."""
    if not role:
        return "Enter a role name (the guide uses prisma)."
    if len(role.encode()) > 63:
        return f"'{role}' is too long: PostgreSQL role names are at most 63 bytes."
    if role in RESERVED_ROLES or role.startswith("pg_"):
        return f"'{role}' is a reserved role on Supabase; use another name (the guide uses prisma)."
    if any(ch.isspace() or not ch.isprintable() for ch in role):
        return f"'{role}' contains spaces or control characters; the pooler rejects such user names."
    return None


def password_statement(role: str, password: str, exists: bool) -> sql.Composed:
    """``create user … bypassrls createdb`` for a new role, ``alter user … with password`` otherwise.

    The literal is the password's SCRAM verifier (the mask ``****`` stays as it is, for display).
    """
    return _password_sql(role, password if password == MASK_LITERAL else scram.verifier(password), exists)


def _password_sql(role: str, literal: str, exists: bool) -> sql.Composed:
    if exists:
        return sql.SQL("alter user {} with password {}").format(sql.Identifier(role), sql.Literal(literal))
    return sql.SQL("create user {} with password {} bypassrls createdb").format(
        sql.Identifier(role), sql.Literal(literal))


def grant_statements(role: str, admin: str = "postgres") -> list[sql.Composed]:
    """The guide's nine statements after the first, in its order."""
    r, a = sql.Identifier(role), sql.Identifier(admin)
    out = [
        sql.SQL("grant {} to {}").format(r, a),
        sql.SQL("grant usage on schema public to {}").format(r),
        sql.SQL("grant create on schema public to {}").format(r),
    ]
    for kind in ("tables", "routines", "sequences"):
        out.append(sql.SQL("grant all on all {} in schema public to {}").format(sql.SQL(kind), r))
    for kind in ("tables", "routines", "sequences"):
        out.append(sql.SQL("alter default privileges for role {} in schema public grant all on {} to {}").format(
            a, sql.SQL(kind), r))
    return out


def _text(query: sql.Composable) -> str:
    return query.as_string(None)


def attributes_statement(role: str) -> sql.Composed:
    """Gives an existing role the attributes the guide's ``create user`` line gives a new one."""
    return sql.SQL("alter user {} with login bypassrls createdb").format(sql.Identifier(role))


def guide_statements(role: str, password: str, *, exists: bool, admin: str = "postgres",
                     include_password: bool = True, fix_attributes: bool = False) -> list[Statement]:
    """All statements step 1 runs; ``include_password=False`` drops the first (password already current);
    ``fix_attributes`` adds LOGIN, BYPASSRLS and CREATEDB to an existing role that lacks one of them."""
    out: list[Statement] = []
    if include_password:
        kind = "alter" if exists else "create"
        out.append(Statement(password_statement(role, password, exists),
                             _text(password_statement(role, MASK_LITERAL, exists)), kind))
    if exists and fix_attributes:
        out.append(Statement(attributes_statement(role), _text(attributes_statement(role)), "attributes"))
    grants = grant_statements(role, admin)
    for index, query in enumerate(grants):
        out.append(Statement(query, _text(query), "grant" if index < 6 else "default"))
    return out


def step1_sql_for_editor(role: str = "prisma", masked: bool = True, *, password: str | None = None,
                         admin: str = "postgres") -> str:
    """The idempotent SQL to paste into Supabase's SQL editor (or psql) instead of running step 1 here.

    A ``do`` block picks create or alter, so the text can be run any number of times. Unmasked,
    it carries the password's SCRAM verifier, never the password (the editor logs statements).
    """
    if not masked and password is None:
        raise ValueError("an unmasked script needs the password")
    secret = MASK_LITERAL if masked else scram.verifier(str(password))
    tag = "$supatui$"
    while tag in secret:
        tag = tag[:-1] + "x$"
    exists = sql.SQL("select from pg_roles where rolname = {}").format(sql.Literal(role))
    body = (
        f"do {tag}\nbegin\n"
        f"  if not exists ({_text(exists)}) then\n"
        f"    {_text(_password_sql(role, secret, False))};\n"
        f"  else\n"
        f"    {_text(_password_sql(role, secret, True))};\n"
        f"  end if;\nend\n{tag};\n"
    )
    lines = [f"-- Step 1 of Supabase's 'Connecting with Prisma': the {role} role (safe to run again)", body.rstrip(),
             _text(attributes_statement(role)) + ";"]
    lines.extend(_text(query) + ";" for query in grant_statements(role, admin))
    return "\n".join(lines) + "\n"


# --- verification queries (catalogs, not what ran) ---

ROLE_ATTRS = "select rolcanlogin, rolbypassrls, rolcreatedb from pg_roles where rolname = %s"

# 1 when the admin has the role's privileges (the guide's `grant prisma to postgres`), else 0. Not a
# pg_auth_members row alone: from PostgreSQL 16 a role's creator holds ADMIN on it without inheriting.
MEMBERSHIP = """
select count(*) from (select %s::name as role, %s::name as admin) p
 where pg_has_role(p.admin, p.role, 'USAGE')
"""

SCHEMA_PRIVS = """
select coalesce(array_agg(a.privilege_type::text order by a.privilege_type), '{}')
  from pg_namespace n, aclexplode(n.nspacl) a
 where n.nspname = 'public' and a.grantee = (select oid from pg_roles where rolname = %s)
"""

DEFAULT_PRIVS = """
select d.defaclobjtype::text, coalesce(array_agg(a.privilege_type::text order by a.privilege_type), '{}')
  from pg_default_acl d
  join pg_namespace n on n.oid = d.defaclnamespace and n.nspname = 'public'
  cross join aclexplode(d.defaclacl) a
 where d.defaclrole = (select oid from pg_roles where rolname = %s)
   and a.grantee = (select oid from pg_roles where rolname = %s)
 group by d.defaclobjtype
"""
