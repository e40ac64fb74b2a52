"""What a learn-mode check reports: per step, done or not, and each missing thing with its fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from supatui.core.redact import redact


@dataclass(frozen=True)
class Finding:
    """One thing missing, in the attendee's words, and the one command or edit that fixes it."""

    what: str
    fix: str

    def to_json(self) -> dict[str, str]:
        return {"what": redact(self.what), "fix": redact(self.fix)}


@dataclass(frozen=True)
class StepReport:
    id: str
    title: str
    done: bool
    missing: tuple[Finding, ...] = ()
    seen: tuple[str, ...] = field(default=())  # what was found in order (for the curious)

    @property
    def hint(self) -> str:
        """The first fix to try (empty when done)."""
        return self.missing[0].fix if self.missing else ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "done": self.done,
                "missing": [finding.what for finding in self.missing],
                "fixes": [finding.to_json() for finding in self.missing],
                "hint": redact(self.hint), "seen": [redact(line) for line in self.seen]}


def report(step: str, title: str, missing: list[Finding], seen: list[str]) -> StepReport:
    return StepReport(step, title, not missing, tuple(missing), tuple(seen))
