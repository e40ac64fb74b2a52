"""The wizard's state, owned by the App and mutated only on the UI thread.

Screens read it (``self.app.state``) and redraw when the App publishes a change; no screen
reads another screen's widgets. Nothing here is saved and nothing here is secret: events
and checks are redacted by the core when they are made.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from supatui.core.context import Secrets, StepContext
from supatui.core.errors import SupatuiError
from supatui.core.events import Event

if TYPE_CHECKING:  # annotations only: not loaded before the first frame
    from supatui.core.plan import Check
    from supatui.core.result import StepResult


class Status(StrEnum):
    CHECKING = "checking"
    PENDING = "to do"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# A marker AND a word for each status: readable without colour (projectors, NO_COLOR).
MARKS: dict[Status, str] = {
    Status.CHECKING: "…",
    Status.PENDING: "○",
    Status.RUNNING: "▶",
    Status.DONE: "✓",
    Status.FAILED: "✗",
}


@dataclass
class StepState:
    status: Status = Status.CHECKING
    events: list[Event] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    error: SupatuiError | None = None
    result: StepResult | None = None  # what the last run observed (step 6: the rows its script printed)
    run: int = 0  # bumped at each Run, so the live log knows to start over


@dataclass
class WizardState:
    step_ids: list[str]
    project_dir: Path = Path(".")  # where the project is (the form may change it)
    package_manager: str = "npm"  # the one chosen in step 2: the finished screen says how to run the project with it
    steps: dict[str, StepState] = field(default_factory=dict)
    current: str | None = None  # the step on screen (None: the welcome screen)
    sandbox_status: str = ""  # "", "starting", "ready", "failed"
    sandbox_detail: str = ""
    keyring_usable: bool | None = None  # None: not checked yet
    keyring_detail: str = ""

    def __post_init__(self) -> None:
        for step_id in self.step_ids:
            self.steps.setdefault(step_id, StepState())

    def resume_step(self) -> str:
        """Where "continue where you left off" goes: the first step not done."""
        for step_id in self.step_ids:
            if self.steps[step_id].status is not Status.DONE:
                return step_id
        return self.step_ids[-1]

    def next_of(self, step_id: str) -> str | None:
        index = self.step_ids.index(step_id)
        return self.step_ids[index + 1] if index + 1 < len(self.step_ids) else None

    def previous_of(self, step_id: str) -> str | None:
        index = self.step_ids.index(step_id)
        return self.step_ids[index - 1] if index > 0 else None

    @property
    def running(self) -> str | None:
        for step_id, step in self.steps.items():
            if step.status is Status.RUNNING:
                return step_id
        return None


def snapshot(ctx: StepContext) -> StepContext:
    """A copy of the inputs (config and secrets; the cancel token is shared) for a draft or a worker.

    Secrets are copied as drafts: a value still being typed is not registered with the redactor.
    """
    secrets = Secrets()
    secrets.draft("admin_password", ctx.secrets.admin_password)
    secrets.draft("prisma_password", ctx.secrets.prisma_password)
    return StepContext(dataclasses.replace(ctx.config), secrets, ctx.cancel)
