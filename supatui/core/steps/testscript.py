"""Step 6: write the guide's ``index.ts`` for the installed major, run it, show the rows.

The optional sample row is inserted by the script itself (an upsert by email), so it is
Prisma that writes it and a second run changes nothing. The script needs nothing from us:
``npx tsx index.ts`` works in the folder on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from supatui.core import state as saved_state
from supatui.core.context import StepContext
from supatui.core.errors import StepFailed, SupatuiError
from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.files import plan_write, read_text, write_file
from supatui.core.plan import Check, Plan
from supatui.core.prisma import templates
from supatui.core.prisma.engine import output_tail
from supatui.core.prisma.workspace import Workspace, cli_url, connect, workspace
from supatui.core.result import ScriptRows, StepResult
from supatui.core.runner import CommandResult, run_command
from supatui.core.steps.base import Step

STEP = "test"
SCRIPT = "index.ts"
# npm's and node's warnings; pnpm's "[WARN]"; yarn classic's "yarn run v1", "$ …/.bin/tsx", "Done in 0.6s."
_NOISE = re.compile(r"^(npm (warn|notice)|\(node:\d+\)|\(Use `node --trace|\s*(\[WARN\]|WARN )|yarn run v\d"
                    r"|\$ \S*node_modules/\.bin/|Done in \d)")


@dataclass(frozen=True)
class ScriptSpec:
    text: str
    model: str
    count_field: str  # a field printed once per row (email for the guide's User)


def script_spec(ws: Workspace, ctx: StepContext) -> ScriptSpec:
    schema = read_text(ws.schema) or ""
    model = templates.query_model(schema)
    if model is None:
        raise StepFailed(STEP, "prisma/schema.prisma has no model to query.",
                         "Run the migrations step (4) first.", code="no-model", resume="migrations")
    sample = ctx.config.sample_row and model == "User" and templates.can_insert_sample(schema)
    fields = templates.model_fields(schema, model)
    count_field = "email" if "email" in fields else (fields[0] if fields else "id")
    return ScriptSpec(templates.index_ts(ws.recipe.major, model, sample), model, count_field)


def table_of(schema_text: str, model: str) -> str:
    """The table a model reads (``@@map("name")`` or the model's own name, as Prisma names it)."""
    block = re.search(rf"^\s*model\s+{re.escape(model)}\s*\{{(.*?)^\s*\}}", schema_text, re.M | re.S)
    mapped = re.search(r'@@map\(\s*(?:name:\s*)?"([^"]+)"', block.group(1)) if block else None
    return mapped.group(1) if mapped else model


def rows_in_database(ws: Workspace, model: str) -> int:
    """How many rows the script's table holds, read through the URL in .env in a read-only transaction."""
    table = table_of(read_text(ws.schema) or "", model)
    with connect(cli_url(ws.dir, STEP), STEP) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute("set transaction read only")
        cur.execute(f'select count(*) from (select 1 from public."{table.replace(chr(34), chr(34) * 2)}" limit 1000) t')
        row = cur.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class TestDecision:
    __test__ = False  # not a pytest class, despite the name
    ws: Workspace
    spec: ScriptSpec | None  # None: the schema has no model yet (``problem`` says so)
    problem: StepFailed | None = None


def script_argv(ws: Workspace) -> tuple[str, ...]:
    return ws.tool(*ws.recipe.runner)


def count_rows(output: str, field: str) -> int:
    """Rows in ``console.log(rows)`` output: one ``field:`` per printed object."""
    return len(re.findall(rf"(?:^|[\s{{,]){re.escape(field)}:", output))


def printed_lines(result: CommandResult) -> list[str]:
    """What the script printed, without the package manager's and node's own lines."""
    return [line for line in result.output if not _NOISE.match(line)]


class TestStep(Step[TestDecision]):
    __test__ = False  # not a pytest class, despite the name

    id: ClassVar[str] = STEP
    title: ClassVar[str] = "Run a test script"
    why: ClassVar[str] = ("A few lines of TypeScript that read your table through Prisma Client: the proof that the "
                          "project, the connection string and the client work together, without supatui.")

    def decide(self, ctx: StepContext) -> TestDecision:
        ws = workspace(ctx)
        try:
            return TestDecision(ws, script_spec(ws, ctx))
        except StepFailed as exc:
            return TestDecision(ws, None, exc)

    def plan_for(self, ctx: StepContext, decision: TestDecision) -> Plan:
        ws, spec = decision.ws, decision.spec
        plan = Plan(STEP)
        if spec is None:
            spec = ScriptSpec(templates.index_ts(ws.recipe.major, "User", ctx.config.sample_row), "User", "email")
            plan.notes.append("The script reads the guide's User model (decided from the schema when the step runs).")
        plan.actions.append(plan_write(ws.dir / SCRIPT, spec.text, f"the test script (reads {spec.model})"))
        plan.actions.append(ws.action(script_argv(ws), "run it"))
        return plan

    def run_for(self, ctx: StepContext, emit: Emit, decision: TestDecision) -> StepResult:
        ws, spec = decision.ws, decision.spec
        if spec is None:
            assert decision.problem is not None
            raise decision.problem
        path = ws.dir / SCRIPT
        write_file(path, spec.text, step=STEP, emit=emit, description="wrote")
        rows, lines = self._execute(ws, ctx, emit, spec)
        emit(Event(STEP, EventKind.INFO, f"The script printed {rows} {spec.model} row(s):\n" + "\n".join(lines),
                   {"rows": rows, "lines": lines}))
        # The script's output is the post-condition: verify reuses it while the script is unchanged.
        return StepResult(STEP, rows=ScriptRows(path, path.stat().st_mtime_ns, spec.model, rows, tuple(lines)))

    def _execute(self, ws: Workspace, ctx: StepContext, emit: Emit, spec: ScriptSpec) -> tuple[int, list[str]]:
        result = run_command(script_argv(ws), cwd=ws.dir, step=STEP, emit=emit, env=ws.pm.env or None, cancel=ctx.cancel)
        lines = printed_lines(result)
        if not result.ok:
            codes = sorted(set(re.findall(r"\bP\d{4}\b", result.text)))
            raise StepFailed(STEP, f"{' '.join(script_argv(ws))} failed (exit {result.returncode})"
                             + (f" with {', '.join(codes)}" if codes else "") + ".",
                             "See the output above; `supatui diagnose` explains Prisma error codes. "
                             "Check .env (supatui run --from connection) and the client (supatui run --from client).",
                             output=output_tail("\n".join(lines)), code=codes[0] if codes else "script")
        return count_rows("\n".join(lines), spec.count_field), lines

    def is_done(self, ctx: StepContext) -> bool:
        """The script is there and the rows it reads are in the database (read-only query through .env),
        or, when the database cannot be read, the last recorded run passed after the script was written.
        Never runs the script."""
        ws = workspace(ctx)
        path = ws.dir / SCRIPT
        if not path.is_file():
            return False
        model = templates.query_model(read_text(ws.schema) or "")
        if model is None:
            return False
        try:
            count = rows_in_database(ws, model)
        except (SupatuiError, OSError):
            record = saved_state.load_state(ws.dir).steps.get(STEP) or {}
            at = record.get("at")
            return record.get("status") == "done" and isinstance(at, int | float) and at + 1 >= path.stat().st_mtime
        except Exception:  # psycopg: the table is not there (yet)
            return False
        return count > 0 or model != "User"

    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        ws = workspace(ctx)
        path = ws.dir / SCRIPT
        if not path.exists():
            return [Check("index.ts", False, f"{path} is missing")]
        spec = script_spec(ws, ctx)
        observed = result.rows if result is not None else None
        try:
            if observed is not None and (observed.script, observed.mtime_ns) == (path, path.stat().st_mtime_ns):
                rows, lines = observed.count, list(observed.lines)  # printed by the run a moment ago, unchanged since
            else:
                rows, lines = self._execute(ws, ctx, discard, spec)
        except StepFailed as exc:
            return [Check("index.ts", True, str(path)), Check("script prints rows", False, exc.message)]
        printed = "\n".join(lines)
        ok = rows > 0 or (spec.model != "User" and "[]" in printed)
        return [Check("index.ts", True, str(path)),
                Check("script prints rows", ok, f"{rows} {spec.model} row(s)" if rows or not ok else "the table is empty")]
