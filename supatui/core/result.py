"""What a step's ``run`` hands back: the checks and what it observed, as typed objects.

Each front end (console, JSON lines, wizard, transcript) formats these itself; none of them
parses an event's prose to find out what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from supatui.core.plan import Check


@dataclass(frozen=True)
class ScriptRows:
    """What step 6's script printed: the rows of ``model`` (``count`` of them) and its lines."""

    script: Path
    mtime_ns: int  # the script as it was when it printed this (verify reuses it only if unchanged)
    model: str
    count: int
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepResult:
    step: str
    checks: tuple[Check, ...] = ()
    rows: ScriptRows | None = None  # step 6 only
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def with_checks(self, checks: list[Check] | tuple[Check, ...]) -> StepResult:
        return replace(self, checks=tuple(checks))
