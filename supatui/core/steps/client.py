"""Step 5: install the client packages (if step 2 did not) and run ``prisma generate``.

Prisma 7's ``migrate dev`` no longer generates the client (notes prisma.md §0.5), so the
guide runs ``generate`` explicitly. Verified on disk: the generated client exists and is not
older than the schema it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from supatui.core import packagemanager
from supatui.core.context import StepContext
from supatui.core.errors import StepFailed
from supatui.core.events import Emit, Event, EventKind
from supatui.core.files import Snapshot
from supatui.core.plan import Check, Plan
from supatui.core.prisma.recipes import client_marker
from supatui.core.prisma.workspace import Workspace, run_checked, workspace
from supatui.core.result import StepResult
from supatui.core.runner import run_command
from supatui.core.steps.base import Step

STEP = "client"


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
        return plan

    def run_for(self, ctx: StepContext, emit: Emit, decision: ClientDecision) -> StepResult:
        ws, missing = decision.ws, list(decision.missing)
        if not ws.schema.exists():
            raise StepFailed(STEP, f"{ws.schema} is missing.", "Run the project step first: supatui run --from project.")
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
        run_checked(ws, ctx, emit, STEP, ws.prisma("generate"), what="prisma generate",
                    hint="See the output above (a schema error names its line); fix it and run the step again.")
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
