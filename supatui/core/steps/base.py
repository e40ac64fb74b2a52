"""The life cycle every step shares: inputs -> plan -> run -> verify (and detect).

A step is data first (``plan`` says exactly what will happen, masked) and action second
(``run`` does it and streams events). ``verify`` checks the world, not what ran, so a step
that is already done is detected the same way a step that just ran is checked.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from supatui.core.context import StepContext
from supatui.core.events import Emit
from supatui.core.plan import Check, Plan


class Step(ABC):
    id: ClassVar[str]  # "role", "project", "connection", "migrations", "client", "test"
    title: ClassVar[str]  # "Create the prisma role"
    why: ClassVar[str]  # one short paragraph from the guide: why this step exists

    def validate(self, ctx: StepContext) -> dict[str, str]:
        """Field name -> message for each input that is missing or wrong (empty: all good)."""
        return {}

    @abstractmethod
    def plan(self, ctx: StepContext) -> Plan:
        """The exact actions ``run`` will take, secrets masked. No side effects."""

    @abstractmethod
    def run(self, ctx: StepContext, emit: Emit) -> None:
        """Do it, streaming events. Raises StepFailed (with a diagnosis-ready message) or Cancelled."""

    @abstractmethod
    def verify(self, ctx: StepContext) -> list[Check]:
        """Check the post-condition against the database and the disk."""

    def detect(self, ctx: StepContext) -> bool:
        """True when the step is already done (so a rerun can skip it)."""
        try:
            checks = self.verify(ctx)
        except Exception:
            return False
        return bool(checks) and all(check.ok for check in checks)
