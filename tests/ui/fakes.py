"""Small real Step subclasses for testing the UI itself (layout, navigation, workers).

They do real work where it matters to the UI: ``slow`` runs a real child process through the
core runner so Esc must really kill it. The real steps are exercised in test_walkthrough_e2e.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from supatui.core.connstr import validate_host, validate_ref
from supatui.core.context import StepContext
from supatui.core.errors import StepFailed
from supatui.core.events import Emit, Event, EventKind
from supatui.core.inputs import (
    ADMIN_PASSWORD,
    MODE,
    PACKAGE_MANAGER,
    POOLER_HOST,
    PRISMA_MAJOR,
    PRISMA_PASSWORD,
    PRISMA_PASSWORD_CURRENT,
    PROJECT_DIR,
    REF,
    Field,
)
from supatui.core.plan import Check, CommandAction, FileAction, Plan, SqlAction
from supatui.core.result import StepResult
from supatui.core.runner import run_command
from supatui.core.steps.base import Step

IDS = ("role", "project", "connection", "migrations", "client", "test")
TITLES = {
    "role": "Create the prisma role",
    "project": "Create the Node project",
    "connection": "Write the connection string",
    "migrations": "Run the first migration",
    "client": "Install and generate the client",
    "test": "Run the test script",
}

# The same fields the real steps declare, so the form looks the same.
INPUTS: dict[str, tuple[Field, ...]] = {
    "role": (REF, POOLER_HOST, ADMIN_PASSWORD, PRISMA_PASSWORD),
    "project": (PROJECT_DIR, PACKAGE_MANAGER, PRISMA_MAJOR),
    "connection": (REF, POOLER_HOST, MODE, PRISMA_PASSWORD_CURRENT),
}


class FakeStep(Step[None]):
    """Validates like the real role step, plans SQL/command/file, runs and writes a marker file."""

    behaviour = "ok"  # "ok", "fail", "slow", "verify-fails"

    def __init__(self, step_id: str, behaviour: str = "ok") -> None:
        self.id = step_id  # type: ignore[misc]
        self.title = TITLES[step_id]  # type: ignore[misc]
        self.why = f"Why: the guide's step '{step_id}' sets up what the next step needs."  # type: ignore[misc]
        self.behaviour = behaviour
        self.inputs = INPUTS.get(step_id, ())  # type: ignore[misc]

    def marker(self, ctx: StepContext) -> Path:
        return Path(ctx.config.project_dir) / f".{self.id}.done"

    def validate(self, ctx: StepContext) -> dict[str, str]:
        if self.id not in ("role", "connection"):
            return {}
        errors: dict[str, str] = {}
        target = ctx.config.target
        if (message := validate_ref(target.ref if target else "")) is not None:
            errors["ref"] = message
        if (message := validate_host(target.pooler_host if target else "")) is not None:
            errors["pooler_host"] = message
        if self.id == "role" and not ctx.secrets.admin_password:
            errors["admin_password"] = "Enter the database password of the postgres user."
        return errors

    def decide(self, ctx: StepContext) -> None:
        return None

    def is_done(self, ctx: StepContext) -> bool:
        return all(check.ok for check in self.verify(ctx))

    def plan_for(self, ctx: StepContext, decision: None) -> Plan:
        plan = Plan(self.id, notes=[f"Fake plan for {self.id}."])
        if self.id == "role":
            plan.actions.append(SqlAction("create user \"prisma\" with password '****' bypassrls createdb",
                                          "create the role"))
        plan.actions.append(CommandAction(("echo", self.id), Path(ctx.config.project_dir), ("DATABASE_URL",), "say hi"))
        diff = f"--- /dev/null\n+++ {self.marker(ctx).name}\n@@ -0,0 +1 @@\n+done\n"
        plan.actions.append(FileAction(self.marker(ctx), diff, "mark it done"))
        return plan

    def run_for(self, ctx: StepContext, emit: Emit, decision: None) -> StepResult | None:
        if self.behaviour in ("scripted", "scripted-fail"):
            self._scripted(ctx, emit)
            return None
        emit(Event(self.id, EventKind.SQL, "select 1"))
        emit(Event(self.id, EventKind.SQL_DONE, "SELECT 1"))
        argv = [sys.executable, "-c", "import time; print('working', flush=True); time.sleep(60)"] \
            if self.behaviour == "slow" else [sys.executable, "-c", f"print('hello from {self.id}')"]
        result = run_command(argv, cwd=Path(ctx.config.project_dir), step=self.id, emit=emit, cancel=ctx.cancel)
        if self.behaviour == "fail":
            raise StepFailed(self.id, "password authentication failed for user \"prisma\"",
                             "Check the password, then run the step again.", output=result.text)
        self.marker(ctx).write_text("done\n")
        emit(Event(self.id, EventKind.FILE_WRITTEN, str(self.marker(ctx).name)))
        return None

    def _scripted(self, ctx: StepContext, emit: Emit) -> None:
        """Fixed events (no timings, no paths) for snapshot tests."""
        emit(Event(self.id, EventKind.SQL, "create user \"prisma\" with password '****' bypassrls createdb;"))
        emit(Event(self.id, EventKind.SQL_DONE, "CREATE ROLE"))
        emit(Event(self.id, EventKind.COMMAND, "$ npx prisma --version"))
        emit(Event(self.id, EventKind.OUTPUT, "prisma                  : 7.10.1"))
        emit(Event(self.id, EventKind.COMMAND_EXIT, "exit 0 (1.2s)", {"returncode": 0}))
        if self.behaviour == "scripted-fail":
            raise StepFailed(self.id, 'FATAL:  password authentication failed for user "postgres"',
                             "Check the postgres password (Dashboard → Database settings), then run the step again.",
                             output='psql: FATAL:  password authentication failed for user "postgres"')
        self.marker(ctx).write_text("done\n")
        emit(Event(self.id, EventKind.FILE_WRITTEN, self.marker(ctx).name))

    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        exists = self.marker(ctx).exists()
        ok = exists and self.behaviour != "verify-fails"
        return [Check(f"{self.marker(ctx).name} exists", ok, "written by Run" if ok else "missing")]


def fake_steps(**behaviours: str) -> list[Step[None]]:
    return [FakeStep(step_id, behaviours.get(step_id, "ok")) for step_id in IDS]
