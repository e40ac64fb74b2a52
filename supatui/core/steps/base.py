"""The life cycle every step shares: inputs -> decide -> plan -> run -> verify, and is_done.

* ``inputs`` declares the typed fields the step reads (the form and the CLI render from them).
* ``decide(ctx)`` makes every choice once (which path, which packages, which files); it only
  reads. ``plan`` (pure: no side effects) and ``run`` both take that decision, so what the
  preview showed is what runs.
* ``run`` does it, streams events and returns a :class:`StepResult` (what it observed).
* ``verify(ctx, result)`` checks the post-condition against the world; given the result of a
  run a moment ago it may reuse what that run observed instead of doing it again.
* ``is_done(ctx)`` is cheap and read-only: it never runs npm, Prisma or the project's code,
  never writes, and never logs in with a guessed password. The wizard calls it on open.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

from supatui.core.context import StepContext
from supatui.core.events import Emit
from supatui.core.inputs import Field
from supatui.core.plan import Check, Plan
from supatui.core.result import StepResult

D = TypeVar("D")


class Step(ABC, Generic[D]):
    id: ClassVar[str]  # "role", "project", "connection", "migrations", "client", "test"
    title: ClassVar[str]  # "Create the prisma role"
    why: ClassVar[str]  # one short paragraph from the guide: why this step exists
    inputs: ClassVar[tuple[Field, ...]] = ()  # what the user supplies (none: uses the earlier steps' work)

    def validate(self, ctx: StepContext) -> dict[str, str]:
        """Field name (one of ``inputs``, or another context key) -> message for each bad input."""
        return {}

    @abstractmethod
    def decide(self, ctx: StepContext) -> D:
        """Every choice the step makes, from the world as it is now. Reads only."""

    @abstractmethod
    def plan_for(self, ctx: StepContext, decision: D) -> Plan:
        """The exact actions ``run`` will take for ``decision``, secrets masked. No side effects."""

    @abstractmethod
    def run_for(self, ctx: StepContext, emit: Emit, decision: D) -> StepResult | None:
        """Carry out ``decision``, streaming events. Raises StepFailed (diagnosis-ready) or Cancelled."""

    @abstractmethod
    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        """Check the post-condition against the database and the disk."""

    @abstractmethod
    def is_done(self, ctx: StepContext) -> bool:
        """Already done? Read-only and cheap (see the module docstring); False when it cannot tell."""

    # -- the public entry points: decide once unless the caller already did -------------------

    def plan(self, ctx: StepContext, decision: D | None = None) -> Plan:
        return self.plan_for(ctx, self.decide(ctx) if decision is None else decision)

    def run(self, ctx: StepContext, emit: Emit, decision: D | None = None) -> StepResult:
        result = self.run_for(ctx, emit, self.decide(ctx) if decision is None else decision)
        return result if result is not None else StepResult(self.id)

    def detect(self, ctx: StepContext) -> bool:
        """Old name of :meth:`is_done` (kept for callers; same read-only answer)."""
        try:
            return self.is_done(ctx)
        except Exception:
            return False


AnyStep = Step[Any]
