"""The verify result: each post-condition with ✓/✗ AND the word pass/FAIL (never colour alone)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from supatui.core.plan import Check
from supatui.ui.state import Status, StepState


class Checklist(Static):
    def on_mount(self) -> None:
        self.border_title = "Verify: checked against the database and the disk"

    def show(self, step: StepState) -> None:
        text = Text()
        if step.status is Status.RUNNING:
            text.append("Running… the checks follow when it finishes.", style="italic")
        elif not step.checks and step.error is None:
            text.append("Not checked yet: press Run.", style="italic")
        for check in step.checks:
            text.append_text(check_line(check))
            text.append("\n")
        if step.error is not None:
            text.append(f"✗ FAILED: {step.error.message}\n", style="bold underline")
            if step.error.hint:
                text.append(f"  What to do: {step.error.hint}\n")
        elif step.checks and all(c.ok for c in step.checks):
            text.append("All checks passed: this step is done.", style="bold")
        self.update(text)


def check_line(check: Check) -> Text:
    line = Text()
    line.append("✓ pass  " if check.ok else "✗ FAIL  ", style="bold" if check.ok else "bold underline")
    line.append(check.name)
    if check.detail:
        line.append(f" — {check.detail}", style="italic")
    return line
