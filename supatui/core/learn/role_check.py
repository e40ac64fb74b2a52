"""Step 1 by hand: the role, its attributes, its membership and the guide's grants, from the catalogs.

``pg_roles``, ``pg_auth_members``, ``pg_namespace`` and ``pg_default_acl`` are readable by every
role, so this works through the admin's connection or the project's own ``.env`` URL alike.
Each fix is the guide's own statement for just the missing part.
"""

from __future__ import annotations

from psycopg import sql

from supatui.core.database import Connection, query_one
from supatui.core.learn.model import Finding
from supatui.core.rolesql import (
    DEFAULT_ACL_KINDS,
    DEFAULT_ACL_NEEDS,
    DEFAULT_PRIVS,
    MEMBERSHIP,
    ROLE_ATTRS,
    SCHEMA_PRIVS,
    step1_sql_for_editor,
)

_ATTRIBUTES = (("LOGIN", "log in"), ("BYPASSRLS", "bypass row level security"), ("CREATEDB", "create databases"))

# Tables in public the role cannot fully use (made before the role, by someone else, and not granted).
_UNGRANTED_TABLES = """
select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm')
   and not has_table_privilege(%s, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
 order by c.relname limit 5
"""


def _text(query: sql.Composable) -> str:
    return query.as_string(None) + ";"


def role_findings(conn: Connection, role: str, admin: str, seen: list[str]) -> list[Finding]:
    attrs = query_one(conn, ROLE_ATTRS, (role,))
    if attrs is None:
        return [Finding(f"there is no role `{role}` yet",
                        "run the guide's step 1 SQL in the SQL editor (choose your own password):\n"
                        + step1_sql_for_editor(role, masked=True, admin=admin))]
    seen.append(f"role {role} exists")
    found: list[Finding] = []
    ident = sql.Identifier(role)
    for (keyword, words), value in zip(_ATTRIBUTES, attrs, strict=True):
        if value:
            seen.append(f"{role} has {keyword}")
        else:
            found.append(Finding(f"the role `{role}` exists but lacks {keyword} (it cannot {words})",
                                 _text(sql.SQL("alter role {} " + keyword.lower()).format(ident))))
    members = query_one(conn, MEMBERSHIP, (role, admin))
    if members and int(members[0]) > 0:
        seen.append(f"{role} is granted to {admin}")
    else:
        found.append(Finding(f"`{role}` is not granted to `{admin}` (the Dashboard cannot show its changes)",
                             _text(sql.SQL("grant {} to {}").format(ident, sql.Identifier(admin)))))
    row = query_one(conn, SCHEMA_PRIVS, (role,))
    privileges = set(row[0]) if row else set()
    for privilege in ("USAGE", "CREATE"):
        if privilege in privileges:
            seen.append(f"{role} has {privilege} on schema public")
        else:
            found.append(Finding(f"`{role}` lacks {privilege} on schema public",
                                 _text(sql.SQL("grant " + privilege.lower() + " on schema public to {}").format(ident))))
    found.extend(_default_privilege_findings(conn, role, admin, seen))
    tables = [name for (name,) in conn.execute(_UNGRANTED_TABLES, (role,)).fetchall()]
    if tables:
        found.append(Finding(f"`{role}` cannot use the existing table(s) {', '.join(tables)} in public",
                             _text(sql.SQL("grant all on all tables in schema public to {}").format(ident))))
    return found


def _default_privilege_findings(conn: Connection, role: str, admin: str, seen: list[str]) -> list[Finding]:
    have = {kind: set(privs) for kind, privs in conn.execute(DEFAULT_PRIVS, (admin, role)).fetchall()}
    found: list[Finding] = []
    for kind, word in DEFAULT_ACL_KINDS.items():
        if DEFAULT_ACL_NEEDS[kind] <= have.get(kind, set()):
            seen.append(f"{admin}'s new {word} in public are granted to {role}")
            continue
        statement = sql.SQL("alter default privileges for role {} in schema public grant all on " + word + " to {}")
        found.append(Finding(f"new {word} that `{admin}` creates in public will not be granted to `{role}`",
                             _text(statement.format(sql.Identifier(admin), sql.Identifier(role)))))
    return found
