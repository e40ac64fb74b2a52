"""Runs the six steps in order: validate, is_done (skip what is done), decide, plan, run, verify.

Shared by `supatui run` and the wizard, so both behave the same: a finished step is detected
from the world and skipped unless redone, a failed verification fails the step, and every
event goes to the listeners (console or UI, plus the transcript). A step decides once: the
plan shown and the run that follows take the same decision; verify runs once, after the run
(reusing what the run observed), or once to confirm a skip.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from supatui.core import state as saved_state
from supatui.core.context import StepContext
from supatui.core.errors import Cancelled, InputError, StepFailed, SupatuiError, as_user_error
from supatui.core.events import Emit, Event, EventKind
from supatui.core.files import one_backup_per_run
from supatui.core.plan import Check, Plan
from supatui.core.result import StepResult
from supatui.core.steps import STEP_IDS, get_step
from supatui.core.steps.base import AnyStep

Status = Literal["done", "skipped", "failed", "cancelled"]


@dataclass
class StepOutcome:
    step: str
    status: Status
    checks: list[Check] = field(default_factory=list)
    error: SupatuiError | None = None
    seconds: float = 0.0
    result: StepResult | None = None  # what the run observed, with its checks (None: skipped or failed early)

    @property
    def ok(self) -> bool:
        return self.status in ("done", "skipped")


PlanListener = Callable[[Plan], None]


class Walkthrough:
    """The six steps over one context. ``emit`` and ``on_plan`` receive everything that happens."""

    def __init__(
        self,
        ctx: StepContext,
        *,
        emit: Emit,
        on_plan: PlanListener | None = None,
        steps: Iterable[AnyStep] | None = None,
    ) -> None:
        self.ctx = ctx
        self.emit = emit
        self.on_plan = on_plan
        self.steps: list[AnyStep] = list(steps) if steps is not None else [get_step(step_id) for step_id in STEP_IDS]

    def step(self, step_id: str) -> AnyStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise InputError(f"Unknown step '{step_id}'.", f"Steps are: {', '.join(s.id for s in self.steps)}.", field="step")

    def ids_from(self, from_step: str | None) -> list[str]:
        ids = [step.id for step in self.steps]
        if from_step is None:
            return ids
        self.step(from_step)
        return ids[ids.index(from_step):]

    def run_step(self, step_id: str, *, redo: bool = False) -> StepOutcome:
        """Run one step; never raises for a step failure (the outcome carries the error)."""
        step = self.step(step_id)
        started = time.monotonic()
        self.ctx.secrets.commit()
        checks: list[Check] = []
        try:
            problems = step.validate(self.ctx)
            if problems:
                name, message = next(iter(problems.items()))
                raise InputError(message, "Fix the input and run the step again.", field=name)
            # is_done is cheap and read-only (one full verify confirms it); a failed or killed last run never counts
            early = self.ctx.early.get(step.id) is not None  # its work started before its turn: it runs
            if not redo and not early and not self._left_unfinished(step.id) and step.detect(self.ctx):
                confirmed = _verify_quietly(step, self.ctx)
                if confirmed and all(check.ok for check in confirmed):
                    self.emit(Event(step.id, EventKind.STEP_SKIPPED, f"{step.title}: already done"))
                    for check in confirmed:
                        self._emit_check(step.id, check)
                    return StepOutcome(step.id, "skipped", confirmed, seconds=time.monotonic() - started)
            decision = step.decide(self.ctx)
            plan = step.plan(self.ctx, decision)
            if self.on_plan is not None:
                self.on_plan(plan)
            self.emit(Event(step.id, EventKind.STEP_STARTED, step.title))
            if _can_save(self.ctx):  # a kill -9 from here on leaves "running": never taken as done
                saved_state.mark_step(self.ctx.config.project_dir, step.id, "running")
            result = step.run(self.ctx, self.emit, decision)
            self.ctx.cancel.raise_if_cancelled(step.id)
            checks = step.verify(self.ctx, result)
            result = result.with_checks(checks)
            for check in checks:
                self._emit_check(step.id, check)
            failed = [check for check in checks if not check.ok]
            if failed:
                detail = "; ".join(f"{c.name}: {c.detail}" if c.detail else c.name for c in failed)
                raise StepFailed(step.id, f"verification failed: {detail}",
                                 "Look at the output above, fix the cause, then run the step again.")
        except Cancelled as exc:
            self.emit(Event(step.id, EventKind.STEP_FAILED, "cancelled",
                            {"seconds": round(time.monotonic() - started, 2), "title": step.title}))
            if _can_save(self.ctx):
                saved_state.mark_step(self.ctx.config.project_dir, step.id, "cancelled")
            return StepOutcome(step.id, "cancelled", error=exc, seconds=time.monotonic() - started)
        except Exception as exc:  # every failure becomes an outcome with a user-facing error
            error = as_user_error(exc)
            self.emit(Event(step.id, EventKind.STEP_FAILED, error.one_line(),
                            {"code": error.code, "seconds": round(time.monotonic() - started, 2), "title": step.title}))
            if _can_save(self.ctx):
                saved_state.mark_step(self.ctx.config.project_dir, step.id, "failed")
            return StepOutcome(step.id, "failed", checks, error=error, seconds=time.monotonic() - started)
        seconds = time.monotonic() - started
        self.emit(Event(step.id, EventKind.STEP_DONE, f"{step.title}: done",
                        {"seconds": round(seconds, 2), "title": step.title}))
        if _can_save(self.ctx):
            saved_state.remember_config(self.ctx.config)
            saved_state.mark_step(self.ctx.config.project_dir, step.id, "done")
        return StepOutcome(step.id, "done", checks, seconds=seconds, result=result)

    def run(self, *, from_step: str | None = None, redo: Iterable[str] = ()) -> list[StepOutcome]:
        """Run the steps in order from ``from_step``; stop at the first failure."""
        redo_set = set(redo)
        for step_id in redo_set:
            self.step(step_id)
        outcomes: list[StepOutcome] = []
        try:
            with one_backup_per_run():  # each file backed up once in the run (nested in the command's own)
                for step_id in self.ids_from(from_step):
                    outcome = self.run_step(step_id, redo=step_id in redo_set)
                    outcomes.append(outcome)
                    if not outcome.ok:
                        break
        finally:  # early work whose step did not come (a step before it failed or was cancelled)
            stopped = outcomes[-1].step if outcomes and not outcomes[-1].ok else None
            self.ctx.early.abandon_all(self.emit, f"step {stopped} did not finish" if stopped else "the run ended")
        return outcomes

    def _left_unfinished(self, step_id: str) -> bool:
        """The step's last run failed, was cancelled or interrupted: it runs again whatever detect says
        (a half-written client or an interrupted ``prisma init`` can look done; issue 10 defect 8)."""
        if not _can_save(self.ctx):
            return False
        record = saved_state.load_state(self.ctx.config.project_dir).steps.get(step_id) or {}
        return record.get("status") in ("failed", "cancelled", "running")

    def statuses(self) -> dict[str, bool]:
        """Step id -> already done (``is_done``: read-only, runs none of the project's code)."""
        return {step.id: step.detect(self.ctx) for step in self.steps}

    def _emit_check(self, step_id: str, check: Check) -> None:
        mark = "PASS" if check.ok else "FAIL"
        text = f"{mark} {check.name}" + (f": {check.detail}" if check.detail else "")
        self.emit(Event(step_id, EventKind.CHECK, text, {"ok": check.ok, "name": check.name}))


def start_early_work(ctx: StepContext, *, from_step: str | None = None, redo: Iterable[str] = ()) -> None:
    """With --yes (``ctx.early.enabled``): start step 2's package.json and install now, before the steps run
    (they need no database); step 2 claims them in its turn (supatui/core/early.py)."""
    ids = list(STEP_IDS)
    if not ctx.early.enabled or "project" in redo or (from_step is not None and from_step in ids
                                                       and ids.index(from_step) > ids.index("project")):
        return
    from supatui.core.steps.project import ProjectStep

    ProjectStep().start_early(ctx)


def _verify_quietly(step: AnyStep, ctx: StepContext) -> list[Check]:
    try:
        return step.verify(ctx)
    except Exception:  # cannot confirm: run the step instead of skipping it
        return []


def _can_save(ctx: StepContext) -> bool:
    return Path(ctx.config.project_dir).is_dir()
