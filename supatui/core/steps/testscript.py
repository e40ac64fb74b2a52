"""Step 6: write the guide's ``index.ts`` for the installed major, run it, show the rows.

The optional sample row is inserted by the script itself (an upsert by email), so it is
Prisma that writes it and a second run changes nothing. The script needs nothing from us:
``npx tsx index.ts`` works in the folder on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from supatui.core.context import StepContext
from supatui.core.errors import StepFailed
from supatui.core.events import Emit, Event, EventKind, discard
from supatui.core.files import plan_write, read_text, write_file
from supatui.core.plan import Check, Plan
from supatui.core.prisma import templates
from supatui.core.prisma.engine import output_tail
from supatui.core.prisma.workspace import Workspace, workspace
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
                         "Run the migrations step first (supatui run --from migrations).", code="no-model")
    sample = ctx.config.sample_row and model == "User" and templates.can_insert_sample(schema)
    fields = templates.model_fields(schema, model)
    count_field = "email" if "email" in fields else (fields[0] if fields else "id")
    return ScriptSpec(templates.index_ts(ws.recipe.major, model, sample), model, count_field)


def script_argv(ws: Workspace) -> tuple[str, ...]:
    return ws.pm.exec(*ws.recipe.runner)


def count_rows(output: str, field: str) -> int:
    """Rows in ``console.log(rows)`` output: one ``field:`` per printed object."""
    return len(re.findall(rf"(?:^|[\s{{,]){re.escape(field)}:", output))


def printed_lines(result: CommandResult) -> list[str]:
    """What the script printed, without the package manager's and node's own lines."""
    return [line for line in result.output if not _NOISE.match(line)]


class TestStep(Step):
    __test__ = False  # not a pytest class, despite the name
    _observed: tuple[Path, int, int, list[str]] | None = None

    id: ClassVar[str] = STEP
    title: ClassVar[str] = "Run a test script"
    why: ClassVar[str] = ("A few lines of TypeScript that read your table through Prisma Client: the proof that the "
                          "project, the connection string and the client work together, without supatui.")

    def plan(self, ctx: StepContext) -> Plan:
        ws = workspace(ctx)
        plan = Plan(STEP)
        try:
            spec = script_spec(ws, ctx)
        except StepFailed:
            spec = ScriptSpec(templates.index_ts(ws.recipe.major, "User", ctx.config.sample_row), "User", "email")
            plan.notes.append("The script reads the guide's User model (decided from the schema when the step runs).")
        plan.actions.append(plan_write(ws.dir / SCRIPT, spec.text, f"the test script (reads {spec.model})"))
        plan.actions.append(ws.action(script_argv(ws), "run it"))
        return plan

    def run(self, ctx: StepContext, emit: Emit) -> None:
        ws = workspace(ctx)
        spec = script_spec(ws, ctx)
        write_file(ws.dir / SCRIPT, spec.text, step=STEP, emit=emit, description="wrote")
        rows, lines = self._execute(ws, ctx, emit, spec)
        # The script's output is the post-condition: keep what it printed, so verify need not run it again.
        self._observed = (ws.dir / SCRIPT, (ws.dir / SCRIPT).stat().st_mtime_ns, rows, lines)
        emit(Event(STEP, EventKind.INFO, f"The script printed {rows} {spec.model} row(s):\n" + "\n".join(lines),
                   {"rows": rows, "lines": lines}))

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

    def verify(self, ctx: StepContext) -> list[Check]:
        ws = workspace(ctx)
        path = ws.dir / SCRIPT
        if not path.exists():
            return [Check("index.ts", False, f"{path} is missing")]
        spec = script_spec(ws, ctx)
        observed = getattr(self, "_observed", None)
        self._observed = None
        try:
            if observed is not None and observed[:2] == (path, path.stat().st_mtime_ns):
                rows, lines = observed[2], observed[3]  # printed by the run a moment ago, unchanged since
            else:
                rows, lines = self._execute(ws, ctx, discard, spec)
        except StepFailed as exc:
            return [Check("index.ts", True, str(path)), Check("script prints rows", False, exc.message)]
        printed = "\n".join(lines)
        ok = rows > 0 or (spec.model != "User" and "[]" in printed)
        return [Check("index.ts", True, str(path)),
                Check("script prints rows", ok, f"{rows} {spec.model} row(s)" if rows or not ok else "the table is empty")]
