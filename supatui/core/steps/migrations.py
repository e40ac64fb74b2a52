"""Step 4: migrations. Look at the database before migrating.

A new database gets the guide's Post/User models (or the user's own schema, kept) and
``prisma migrate dev``. A database that already has tables in ``public`` takes the baseline
path (``db pull`` → ``0_init`` from ``migrate diff`` → ``migrate resolve --applied``): running
``migrate dev`` there finds drift and wants to reset the schema (notes prisma.md §6).
Verified against ``_prisma_migrations`` and the migrations folder, not against what ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from supatui.core.context import StepContext
from supatui.core.errors import StepFailed, SupatuiError
from supatui.core.events import Emit, Event, EventKind
from supatui.core.files import Snapshot, plan_write, read_text, write_file
from supatui.core.plan import Check, Plan
from supatui.core.prisma import templates
from supatui.core.prisma.engine import engine_download_error, engine_download_failed, output_tail
from supatui.core.prisma.workspace import Workspace, cli_url, connect, run_checked, workspace
from supatui.core.result import StepResult
from supatui.core.runner import run_command
from supatui.core.steps.base import Step
from supatui.core.steps.client import start_generate_early

STEP = "migrations"
MIGRATION_NAME = "first_prisma_migration"
BASELINE = "0_init"
Path_ = Literal["new", "baseline", "deploy", "done"]

TABLES_SQL = """
select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> '_prisma_migrations'
order by 1
"""
APPLIED_SQL = """
select migration_name from public._prisma_migrations
where finished_at is not null and rolled_back_at is null order by started_at
"""


@dataclass(frozen=True)
class DbState:
    tables: list[str] = field(default_factory=list)  # in public, other than _prisma_migrations
    applied: list[str] = field(default_factory=list)  # finished and not rolled back
    history: bool = False  # _prisma_migrations exists


def probe(url: str) -> DbState:
    """What is in the database now (as the role in .env)."""
    with connect(url, STEP) as conn, conn.cursor() as cur:
        cur.execute(TABLES_SQL)
        tables = [str(row[0]) for row in cur.fetchall()]
        cur.execute("select to_regclass('public._prisma_migrations') is not null")
        row = cur.fetchone()
        history = bool(row and row[0])
        applied: list[str] = []
        if history:
            cur.execute(APPLIED_SQL)
            applied = [str(r[0]) for r in cur.fetchall()]
    return DbState(tables, applied, history)


def local_migrations(ws: Workspace) -> list[str]:
    folder = ws.dir / "prisma" / "migrations"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "migration.sql").is_file())


def choose_path(state: DbState, local: list[str]) -> Path_:
    if state.applied and local and set(local) <= set(state.applied):
        return "done"
    if state.applied and local:
        return "deploy"
    if state.tables and not local:
        return "baseline"
    return "new"


@dataclass(frozen=True)
class MigrationsDecision:
    ws: Workspace
    state: DbState  # empty when the database could not be read (``problem`` says why)
    local: tuple[str, ...]
    path: Path_
    problem: SupatuiError | None = None  # the probe failed: plan says so, run raises it


class MigrationsStep(Step[MigrationsDecision]):
    id: ClassVar[str] = STEP
    title: ClassVar[str] = "Create the tables (migrations)"
    why: ClassVar[str] = ("Prisma Migrate turns the schema into SQL, applies it and records it in _prisma_migrations; "
                          "a database that already has tables is baselined instead, so nothing is dropped.")

    def decide(self, ctx: StepContext) -> MigrationsDecision:
        ws = workspace(ctx)
        local = local_migrations(ws)
        try:
            state = probe(cli_url(ws.dir, STEP))
        except SupatuiError as exc:
            return MigrationsDecision(ws, DbState(), tuple(local), choose_path(DbState(), local), exc)
        return MigrationsDecision(ws, state, tuple(local), choose_path(state, local))

    def plan_for(self, ctx: StepContext, decision: MigrationsDecision) -> Plan:
        ws, state, path = decision.ws, decision.state, decision.path
        plan = Plan(STEP)
        if decision.problem is not None:
            plan.notes.append(f"The database is checked when the step runs ({decision.problem.message}); an empty one "
                              "gets the guide's models and migrate dev, one with tables is baselined (db pull, 0_init).")
        if path == "done":
            plan.notes.append("Every migration in prisma/migrations is applied: nothing to do.")
        elif path == "deploy":
            plan.actions.append(ws.action(ws.prisma("migrate", "deploy"), "apply the pending migrations"))
        elif path == "baseline":
            plan.notes.append(f"public already has {len(state.tables)} table(s) ({', '.join(state.tables[:5])}): "
                              "baseline instead of migrate dev (which would want to reset the schema).")
            plan.actions.extend(ws.action(argv, what) for argv, what in _baseline_commands(ws))
        else:
            schema = read_text(ws.schema) or templates.schema_head(ws.recipe.major, ctx.config.mode == "transaction")
            new = templates.with_guide_models(schema)
            if new != schema or not ws.schema.exists():
                plan.actions.append(plan_write(ws.schema, new, "the guide's Post and User models"))
            plan.actions.append(ws.action(ws.prisma("migrate", "dev", "--name", MIGRATION_NAME),
                                          "create and apply the first migration"))
            if ctx.early.enabled:
                plan.notes.append("--yes: step 5's prisma generate starts once the schema is written, alongside "
                                  "migrate dev (it needs only the schema); its output is shown under step 5.")
        return plan

    def run_for(self, ctx: StepContext, emit: Emit, decision: MigrationsDecision) -> StepResult:
        ws, state, path = decision.ws, decision.state, decision.path
        if not ws.schema.exists():
            raise StepFailed(STEP, f"{ws.schema} is missing.", "Run the project step (2) first.",
                             resume="project")
        if decision.problem is not None:
            raise decision.problem
        emit(Event(STEP, EventKind.INFO, {
            "done": "Every migration in prisma/migrations is already applied.",
            "deploy": "The database has Prisma migrations: applying the pending ones.",
            "baseline": f"public already has tables ({', '.join(state.tables[:5])}): baselining (db pull, 0_init).",
            "new": "The database has no tables in public: creating them from the schema.",
        }[path]))
        if path == "deploy":
            run_checked(ws, ctx, emit, STEP, ws.prisma("migrate", "deploy"), what="prisma migrate deploy",
                        hint="See the output above; fix the failing migration, then run the step again.")
        elif path == "baseline":
            self._baseline(ws, ctx, emit, state)
        elif path == "new":
            self._new(ws, ctx, emit)
        return StepResult(STEP)

    def _new(self, ws: Workspace, ctx: StepContext, emit: Emit) -> None:
        schema = read_text(ws.schema) or ""
        write_file(ws.schema, templates.with_guide_models(schema), step=STEP, emit=emit,
                   description="added the guide's models to")
        start_generate_early(ctx, ws)  # --yes: step 5's generate needs only this schema, so it runs alongside
        argv = ws.prisma("migrate", "dev", "--name", MIGRATION_NAME)
        result = run_command(argv, cwd=ws.dir, step=STEP, emit=emit, env=ws.pm.env or None, cancel=ctx.cancel)
        if result.ok:
            return
        text = result.text
        if engine_download_failed(text):
            raise engine_download_error(STEP, text)
        if "Drift detected" in text or "We need to reset" in text:
            raise StepFailed(STEP, "prisma migrate dev found the database out of sync with the migrations and wants to "
                             "reset the public schema (all data lost); nothing was dropped.",
                             "If the data matters, baseline it: move prisma/migrations aside and run the step again "
                             "(it takes the db pull path). On a throwaway database: npx prisma migrate reset.",
                             output=output_tail(text), code="drift")
        raise StepFailed(STEP, f"prisma migrate dev failed (exit {result.returncode}).",
                         "See the output above (supatui diagnose can explain Prisma error codes); then run the step again.",
                         output=output_tail(text))

    def _baseline(self, ws: Workspace, ctx: StepContext, emit: Emit, state: DbState) -> None:
        snap = Snapshot(ws.schema)  # db pull rewrites the schema: keep the old one
        try:
            run_checked(ws, ctx, emit, STEP, ws.prisma("db", "pull"), what="prisma db pull",
                        hint="Check that the prisma role can read the tables in public (step 1 grants), then run again.")
        finally:
            snap.settle(step=STEP, emit=emit)
        sql = ws.dir / "prisma" / "migrations" / BASELINE / "migration.sql"
        if not sql.exists():
            sql.parent.mkdir(parents=True, exist_ok=True)
            run_checked(ws, ctx, emit, STEP, _diff_argv(ws), what="prisma migrate diff",
                        hint="See the output above; then run the step again.")
        if BASELINE not in state.applied:
            run_checked(ws, ctx, emit, STEP, ws.prisma("migrate", "resolve", "--applied", BASELINE),
                        what="prisma migrate resolve", hint="See the output above; then run the step again.")

    def is_done(self, ctx: StepContext) -> bool:
        return all(check.ok for check in self.verify(ctx))  # one read-only query through the URL in .env

    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        ws = workspace(ctx)
        state = probe(cli_url(ws.dir, STEP))
        local = local_migrations(ws)
        pending = sorted(set(local) - set(state.applied))
        return [
            Check("_prisma_migrations", bool(state.applied),
                  f"{len(state.applied)} applied: {', '.join(state.applied[-3:])}" if state.applied
                  else "no applied migration in the database"),
            Check("prisma/migrations", bool(local) and not pending,
                  "pending: " + ", ".join(pending) if pending else f"{len(local)} migration(s), all applied"),
        ]


def _diff_argv(ws: Workspace) -> tuple[str, ...]:
    return ws.prisma("migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script",
                     "--output", f"prisma/migrations/{BASELINE}/migration.sql")


def _baseline_commands(ws: Workspace) -> list[tuple[tuple[str, ...], str]]:
    return [
        (ws.prisma("db", "pull"), "write the existing tables into prisma/schema.prisma (backup first)"),
        (_diff_argv(ws), f"write the baseline migration prisma/migrations/{BASELINE}/migration.sql"),
        (ws.prisma("migrate", "resolve", "--applied", BASELINE), "record the baseline as applied (runs no SQL)"),
    ]
