"""Check all six steps against the world, read-only, and say what is missing with its fix.

The database is read through the project's own ``.env`` URL when it works (what Prisma uses),
else as the admin when supatui knows the admin's password (the sandbox, SUPATUI_DB_PASSWORD,
the keyring, the pasted --url's); catalogs are readable by any role, so either is enough for step 1.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg

from supatui.core import packagemanager
from supatui.core.connstr import admin_mode
from supatui.core.context import StepContext
from supatui.core.database import Connection
from supatui.core.errors import SupatuiError
from supatui.core.learn import db_check, files_check, role_check
from supatui.core.learn.model import Finding, StepReport, report
from supatui.core.prisma.recipes import installed_major
from supatui.core.prisma.workspace import read_env
from supatui.core.steps import STEP_IDS, get_step

Reader = Callable[[], contextlib.AbstractContextManager[Connection]]


class World:
    """What the checks read, gathered once: the folder, its .env, and how to reach the database."""

    def __init__(self, ctx: StepContext) -> None:
        self.ctx = ctx
        self.project = Path(ctx.config.project_dir)
        self.env = read_env(self.project)  # the project's .env, its passwords registered for redaction
        self.pm = packagemanager.get(ctx.config.package_manager)
        self.major = installed_major(self.project)
        self.db_error: Finding | None = None

    @contextlib.contextmanager
    def database(self, *, prefer_project: bool = True) -> Iterator[Connection]:
        """A read-only connection: the project's URL (DIRECT_URL first), else the admin's."""
        errors: list[SupatuiError] = []
        openers = (self._project_conn, self._admin_conn) if prefer_project else (self._admin_conn, self._project_conn)
        with contextlib.ExitStack() as stack:
            for opener in openers:
                manager = opener()
                if manager is None:
                    continue
                try:
                    conn = stack.enter_context(manager)
                except SupatuiError as exc:
                    errors.append(exc)
                    continue
                yield conn
                return
        if errors:
            raise errors[0]
        raise SupatuiError("neither .env nor the admin's password is known here",
                           "Do step 3 (.env), or pass --sandbox / SUPATUI_DB_PASSWORD with --url or --ref.")

    def _project_conn(self) -> contextlib.AbstractContextManager[Connection] | None:
        url = self.env.get("DIRECT_URL") or self.env.get("DATABASE_URL") or ""
        if not url.startswith(("postgres://", "postgresql://")) or any(
                mark.lower() in url.lower() for mark in db_check.PLACEHOLDER_MARKS):
            return None
        return db_check.read_only(url)

    def _admin_conn(self) -> contextlib.AbstractContextManager[Connection] | None:
        target, password = self.ctx.config.target, self.ctx.secrets.admin_password
        if target is None or not password:
            return None
        mode = admin_mode(target)
        return db_check.read_only(target.url(self.ctx.config.admin_user, None, mode), password)

    def migrate(self) -> str:
        return shlex.join(self.pm.exec("prisma", "migrate"))


def _with_db(world: World, seen: list[str], check: Callable[[Connection], list[Finding]],
             *, prefer_project: bool = True) -> list[Finding]:
    try:
        with world.database(prefer_project=prefer_project) as conn:
            return check(conn)
    except SupatuiError as exc:
        return [Finding(f"cannot read the database: {exc.message}", exc.hint or "check the connection (step 3)")]
    except psycopg.Error as exc:
        detail = (exc.diag.message_primary if exc.diag else None) or str(exc).strip().splitlines()[0]
        return [Finding(f"the database answered: {detail}", "see `supatui diagnose` with that text")]


def _role(world: World, seen: list[str]) -> list[Finding]:
    role, admin = world.ctx.config.role, world.ctx.config.admin_user
    return _with_db(world, seen, lambda conn: role_check.role_findings(conn, role, admin, seen), prefer_project=False)


def _project(world: World, seen: list[str]) -> list[Finding]:
    return files_check.project_findings(world.project, world.pm, seen)


def _connection(world: World, seen: list[str]) -> list[Finding]:
    if not (world.project / ".env").is_file():
        example = db_check.example_url(world.ctx.config.target, world.ctx.config.role)
        return [Finding(f"{world.project / '.env'} does not exist", f'create .env with DATABASE_URL="{example}"')]
    return db_check.connection_findings(world.env, world.ctx.config.target, world.ctx.config.role, world.major, seen)


def _migrations(world: World, seen: list[str]) -> list[Finding]:
    schema = files_check.read(world.project / "prisma" / "schema.prisma")
    if "model " not in schema:
        return [Finding("prisma/schema.prisma has no model yet", "add the guide's Post and User models to "
                        "prisma/schema.prisma, then " + world.migrate() + " dev --name first_prisma_migration")]
    return _with_db(world, seen, lambda conn: db_check.migration_findings(conn, world.project, world.migrate(), seen))


def _client(world: World, seen: list[str]) -> list[Finding]:
    return files_check.client_findings(world.project, world.pm, seen)


def _test(world: World, seen: list[str]) -> list[Finding]:
    script = files_check.test_script(world.project)
    if script is None:
        return [Finding("no test script that uses PrismaClient (index.ts)",
                        "create index.ts as in the guide's step 6 (new PrismaClient(), findMany, console.log)")]
    seen.append(f"{script.name} uses PrismaClient")
    model = files_check.script_model(world.project, script)
    if model is None:
        return [Finding("the schema has no model for the script to read", "add a model and migrate (step 4)")]

    def rows(conn: Connection) -> list[Finding]:
        count = db_check.row_count(conn, model)
        if count is None:
            return [Finding(f"the table {model} does not exist in the database", world.migrate() + " deploy")]
        if count == 0:
            return [Finding(f"the table {model} is empty, so {script.name} prints []",
                            "add a row (e.g. in Prisma Studio or the SQL editor), then "
                            + shlex.join(world.pm.exec("tsx", script.name)))]
        seen.append(f"{count} row(s) in {model}")
        return []

    return _with_db(world, seen, rows)


CHECKS: dict[str, Callable[[World, list[str]], list[Finding]]] = {
    "role": _role, "project": _project, "connection": _connection,
    "migrations": _migrations, "client": _client, "test": _test,
}


def check_step(ctx: StepContext, step_id: str, world: World | None = None) -> StepReport:
    world = world or World(ctx)
    seen: list[str] = []
    missing = CHECKS[step_id](world, seen)
    return report(step_id, get_step(step_id).title, missing, seen)


def check_world(ctx: StepContext) -> list[StepReport]:
    """All six steps, in order; each is judged on its own (a later step may be done when an earlier is not)."""
    world = World(ctx)
    return [check_step(ctx, step_id, world) for step_id in STEP_IDS]
