"""Steps 3, 4 and 6 by hand: ``.env``'s URLs, the migrations table and the rows, read through read-only transactions.

Logging in with the URL the project itself holds is not a guess: it is exactly what Prisma will
do. Every query runs inside ``BEGIN READ ONLY`` (safe on a transaction pooler too).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import psycopg

from supatui.core import database
from supatui.core.connstr import ConnectionTarget, ParsedUrl, UrlError, parse_url
from supatui.core.database import Connection
from supatui.core.errors import SupatuiError
from supatui.core.learn.model import Finding

PLACEHOLDER_MARKS = ("[", "]", "johndoe", "randompassword", "YOUR-PASSWORD", "PROJECT-REF", "DB-REGION")
CONNECT_TIMEOUT = 8


@contextlib.contextmanager
def read_only(url: str | ParsedUrl, password: str | None = None) -> Iterator[Connection]:
    """A connection whose every statement runs in a read-only transaction, rolled back at the end."""
    conn = database.connect(url, password=password, connect_timeout=CONNECT_TIMEOUT, autocommit=False,
                            password_hint="The password in .env does not open this role: fix .env (step 3).")
    conn.read_only = True
    try:
        yield conn
    finally:
        with contextlib.suppress(psycopg.Error):
            conn.rollback()
        conn.close()


def example_url(target: ConnectionTarget | None, role: str, port: int = 5432) -> str:
    if target is None:
        return f"postgres://{role}.<PROJECT-REF>:<PRISMA-PASSWORD>@<region>.pooler.supabase.com:{port}/postgres"
    if not target.pooler_host:  # only the direct string is known: the guide's URL is the pooler's (IPv4 everywhere),
        # whose user is role.ref; `role.ref@db.<ref>.supabase.co` (the pooler's user on the direct host) is refused
        return f"postgres://{role}.{target.ref}:<PRISMA-PASSWORD>@<region>.pooler.supabase.com:{port}/postgres"
    port = target.session_port if port == 5432 else target.transaction_port
    return f"postgres://{role}.{target.ref}:<PRISMA-PASSWORD>@{target.pooler_host}:{port}/{target.database}"


def connection_findings(env: dict[str, str], target: ConnectionTarget | None, role: str, major: int | None,
                        seen: list[str]) -> list[Finding]:
    url = env.get("DATABASE_URL")
    if not url:
        return [Finding(".env has no DATABASE_URL", f'add DATABASE_URL="{example_url(target, role)}" to .env')]
    if any(mark.lower() in url.lower() for mark in PLACEHOLDER_MARKS):
        return [Finding("DATABASE_URL in .env still holds a placeholder",
                        f"replace it with the session pooler string for {role}: {example_url(target, role)}")]
    try:
        parsed = parse_url(url)
    except UrlError as exc:
        return [Finding(f"DATABASE_URL in .env is not a valid connection string: {exc}",
                        f"copy the session pooler string again, as {example_url(target, role)}")]
    found: list[Finding] = []
    if parsed.role != role:
        found.append(Finding(f"DATABASE_URL logs in as `{parsed.role}`, not `{role}`",
                             f"change the user part to {role}" + (f".{target.ref}" if target else ".<PROJECT-REF>")))
    direct = target is not None and parsed.host == target.direct and parsed.port == target.direct_port
    if not direct and "." not in parsed.user:
        found.append(Finding("the pooler needs the project ref in the user name",
                             f"use {role}.<PROJECT-REF> as the user: {example_url(target, role)}"))
    transaction = parsed.port == (target.transaction_port if target else 6543)
    if transaction:
        found.extend(_transaction_findings(env, parsed, target, role, major))
    if found:
        return found
    seen.append(f"DATABASE_URL: {parsed.user}@{parsed.host}:{parsed.port}")
    for key in dict.fromkeys(k for k in ("DATABASE_URL", "DIRECT_URL") if env.get(k)):
        try:
            with read_only(env[key]) as conn:
                user = database.current_user(conn)
        except SupatuiError as exc:
            return [Finding(f"{key} does not connect: {exc.message}", exc.hint or "fix the URL in .env")]
        if user != role:
            return [Finding(f"{key} connects as `{user}`, not `{role}`", f"use the {role} role's URL in .env")]
        seen.append(f"{key} connects as {user}")
    return found


def _transaction_findings(env: dict[str, str], parsed: ParsedUrl, target: ConnectionTarget | None, role: str,
                          major: int | None) -> list[Finding]:
    found: list[Finding] = []
    if not env.get("DIRECT_URL"):
        where = ("point prisma.config.ts's datasource url at env(\"DIRECT_URL\")" if (major or 7) >= 7
                 else 'add directUrl = env("DIRECT_URL") to the datasource block')
        found.append(Finding(f".env has DATABASE_URL on port {parsed.port} (transaction mode) but no DIRECT_URL for "
                             "migrations", f'add DIRECT_URL="{example_url(target, role, 5432)}" to .env and {where}'))
    if major == 6 and parsed.params.get("pgbouncer") != "true":
        found.append(Finding("Prisma 6 on the transaction pooler needs ?pgbouncer=true (no prepared statements)",
                             "append ?pgbouncer=true to DATABASE_URL in .env"))
    return found


def applied_migrations(conn: Connection) -> tuple[list[str], list[str]] | None:
    """(applied, failed) migration names, or None when ``_prisma_migrations`` does not exist."""
    row = conn.execute("select to_regclass('_prisma_migrations') is not null").fetchone()
    if not row or not row[0]:
        return None
    rows = conn.execute("select migration_name, finished_at is not null, rolled_back_at is not null "
                        "from _prisma_migrations order by started_at").fetchall()
    applied = [name for name, finished, rolled_back in rows if finished and not rolled_back]
    failed = [name for name, finished, rolled_back in rows if not finished and not rolled_back]
    return applied, failed


def migration_findings(conn: Connection, project: Path, migrate: str, seen: list[str]) -> list[Finding]:
    state = applied_migrations(conn)
    first = f"{migrate} dev --name first_prisma_migration"
    if state is None:
        return [Finding("the database has no _prisma_migrations table: no migration has run", first)]
    applied, failed = state
    found: list[Finding] = []
    for name in failed:
        found.append(Finding(f"migration {name} started but failed",
                             f"fix the cause, then {migrate} resolve --rolled-back {name} and migrate again"))
    if not applied:
        found.append(Finding("_prisma_migrations is empty", first))
        return found
    folder = project / "prisma" / "migrations"
    local = sorted(p.name for p in folder.iterdir() if (p / "migration.sql").is_file()) if folder.is_dir() else []
    pending = [name for name in local if name not in applied]
    if pending:
        found.append(Finding(f"migration(s) not applied yet: {', '.join(pending)}", f"{migrate} deploy"))
    if not local:
        found.append(Finding("prisma/migrations is missing while the database has migrations",
                             "keep the prisma/migrations folder with the project (restore it from git)"))
    if not found:
        seen.append(f"{len(applied)} migration(s) applied: {', '.join(applied[-3:])}")
    return found


def row_count(conn: Connection, model: str) -> int | None:
    """Rows in the model's table (``public."Model"``), None when the table does not exist."""
    row = conn.execute("select to_regclass(%s) is not null", (f'public."{model}"',)).fetchone()
    if not row or not row[0]:
        return None
    counted = conn.execute(psycopg.sql.SQL("select count(*) from (select 1 from public.{} limit 100) t").format(
        psycopg.sql.Identifier(model))).fetchone()
    return int(counted[0]) if counted else 0
