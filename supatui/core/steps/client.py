"""Step 5: install the client packages (if step 2 did not) and run ``prisma generate``.

Prisma 7's ``migrate dev`` no longer generates the client (notes prisma.md §0.5), so the
guide runs ``generate`` explicitly. Verified on disk: the generated client exists and is not
older than the schema it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from supatui.core import packagemanager
from supatui.core import state as saved_state
from supatui.core.context import StepContext
from supatui.core.errors import StepFailed
from supatui.core.events import Emit, Event, EventKind
from supatui.core.files import Snapshot
from supatui.core.plan import Check, Plan
from supatui.core.prisma.recipes import client_marker
from supatui.core.prisma.workspace import Workspace, judged, run_checked, workspace
from supatui.core.result import StepResult
from supatui.core.runner import CancelToken, CommandResult, run_command
from supatui.core.steps.base import Step

STEP = "client"
GENERATE_WHAT = "prisma generate"
GENERATE_HINT = "See the output above (a schema error names its line); fix it and run the step again."
EARLY_NOTE = ("prisma generate was started together with step 4's migrate dev (--yes: it needs only the schema, "
              "which step 4 had written); its output:")


def start_generate_early(ctx: StepContext, ws: Workspace) -> None:
    """Step 4 calls this once the schema has its models: with --yes, ``prisma generate`` runs beside
    ``migrate dev`` (which no longer generates in Prisma 7) instead of after it. Not when this step would
    install packages first. Until this step claims it, the step counts as running (never as done)."""
    if not ctx.early.enabled or packagemanager.missing_packages(ws.dir, ws.recipe.client_packages):
        return
    argv = ws.prisma("generate")

    def work(emit: Emit, cancel: CancelToken) -> CommandResult:
        return run_command(argv, cwd=ws.dir, step=STEP, emit=emit, env=ws.pm.env or None, cancel=cancel)

    if ctx.early.start(STEP, work, note=EARLY_NOTE, decision=argv) is not None and Path(ws.dir).is_dir():
        saved_state.mark_step(ws.dir, STEP, "running")


def _client_fresh(ws: Workspace) -> tuple[bool, str]:
    marker = client_marker(ws.dir, ws.recipe)
    if not marker.exists():
        return False, f"{marker} is missing"
    if ws.schema.exists() and marker.stat().st_mtime + 1 < ws.schema.stat().st_mtime:
        return False, f"{marker.name} is older than prisma/schema.prisma: generate again"
    return True, str(marker)


@dataclass(frozen=True)
class ClientDecision:
    ws: Workspace
    missing: tuple[str, ...]  # client packages step 2 did not install
    install: tuple[str, ...] = ()  # the add naming the undeclared ones (a declared one keeps its range), or install


class ClientStep(Step[ClientDecision]):
    id: ClassVar[str] = STEP
    title: ClassVar[str] = "Install and generate Prisma Client"
    why: ClassVar[str] = ("Prisma Client is generated from your schema: typed queries for exactly your models. "
                          "Regenerate it whenever the schema changes.")

    def decide(self, ctx: StepContext) -> ClientDecision:
        ws = workspace(ctx)
        missing = tuple(packagemanager.missing_packages(ws.dir, ws.recipe.client_packages))
        named = packagemanager.specs_to_name(ws.dir, missing)
        install = () if not missing else ws.pm.add(named) if named else ws.pm.install()
        return ClientDecision(ws, missing, install)

    def plan_for(self, ctx: StepContext, decision: ClientDecision) -> Plan:
        ws = decision.ws
        plan = Plan(STEP)
        if decision.install:
            plan.actions.append(ws.action(decision.install, "install the client packages"))
        plan.actions.append(ws.action(ws.prisma("generate"), "generate the client from prisma/schema.prisma"))
        if ctx.early.get(STEP) is not None and not decision.install:
            plan.notes.append("prisma generate already started alongside step 4's migrate dev (--yes); "
                              "its output follows under this step.")
        return plan

    def run_for(self, ctx: StepContext, emit: Emit, decision: ClientDecision) -> StepResult:
        ws, missing = decision.ws, list(decision.missing)
        if not ws.schema.exists():
            raise StepFailed(STEP, f"{ws.schema} is missing.", "Run the project step (2) first.",
                             resume="project")
        if decision.install:
            snap = Snapshot(ws.dir / "package.json")
            try:
                result = run_command(decision.install, cwd=ws.dir, step=STEP, emit=emit, env=ws.pm.env or None,
                                     cancel=ctx.cancel)
            finally:
                snap.settle(step=STEP, emit=emit)
            if not ws.pm.install_succeeded(result.returncode, ws.dir, missing):
                raise StepFailed(STEP, f"{ws.pm.name} could not install {', '.join(missing)} (exit {result.returncode}).",
                                 "Check npm's access to the registry, then run the step again.",
                                 output="\n".join(result.output[-25:]), code="install")
            if result.returncode != 0:
                emit(Event(STEP, EventKind.WARNING,
                           f"{ws.pm.name} exited {result.returncode}, but the packages are installed."))
        early = ctx.early.take(STEP)
        if early is not None and early.decision == ws.prisma("generate") and not decision.install:
            judged(early.claim(emit, ctx.cancel), STEP, what=GENERATE_WHAT, hint=GENERATE_HINT)
        else:
            if early is not None:
                early.abandon(emit, "the client packages had to be installed first")
            run_checked(ws, ctx, emit, STEP, ws.prisma("generate"), what=GENERATE_WHAT, hint=GENERATE_HINT)
        ok, detail = _client_fresh(ws)
        if not ok:
            raise StepFailed(STEP, f"prisma generate ran but the client is not there: {detail}.",
                             "Check the generator block in prisma/schema.prisma (its output path).")
        return StepResult(STEP)

    def is_done(self, ctx: StepContext) -> bool:
        return all(check.ok for check in self.verify(ctx))  # files only: package.json deps, the generated client

    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        ws = workspace(ctx)
        missing = packagemanager.missing_packages(ws.dir, ws.recipe.client_packages)
        ok, detail = _client_fresh(ws)
        return [
            Check("client packages", not missing, "missing: " + ", ".join(missing) if missing else
                  ", ".join(packagemanager.package_name(p) for p in ws.recipe.client_packages)),
            Check("generated client", ok, detail),
        ]
