"""The failure panel: what went wrong, the diagnosed cause and fix, and what to do next."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from supatui.core.errors import StepFailed, SupatuiError
from supatui.ui.widgets.button_row import ButtonRow


def diagnose(error: SupatuiError, step: str | None) -> list[Any]:
    """Known problems matching the error (empty when the catalogue is not installed)."""
    try:
        from supatui.core.diagnoses import diagnose as match
    except ImportError:
        return []
    text = "\n".join(filter(None, [error.message, error.hint, getattr(error, "output", "")]))
    try:
        return list(match(text, step=step))[:3]
    except Exception:  # a broken catalogue must not hide the original failure
        return []


def failure_text(title: str, error: SupatuiError, matches: list[Any], then: str = "") -> Text:
    text = Text()
    text.append(f"✗ {title}\n\n", style="bold")
    text.append(f"{error.message}\n", style="bold")
    if error.hint:
        text.append(f"\nWhat to do: {error.hint}\n")
    if then:
        text.append(f"Then: {then}\n")
    for match in matches:
        diagnosis = match.diagnosis
        text.append(f"\nLikely cause — {diagnosis.title}\n", style="bold underline")
        text.append(f"  Cause: {diagnosis.cause}\n")
        text.append(f"  Fix:   {diagnosis.fix}\n")
        if diagnosis.doc:
            text.append(f"  More:  {diagnosis.doc}\n", style="italic")
    output = error.output if isinstance(error, StepFailed) else ""
    if output:
        tail = "\n".join(output.strip().splitlines()[-8:])
        text.append("\nLast output:\n", style="bold")
        text.append(tail + "\n")
    return text


class FailureScreen(ModalScreen[str]):
    """Dismissed with "retry" (run the step again) or "close"."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("ctrl+r", "retry", "Retry")]

    def __init__(self, title: str, error: SupatuiError, *, step_id: str | None, can_retry: bool,
                 then: str = "") -> None:
        super().__init__(id="failure")
        self.title_text = title
        self.error = error
        self.then = then  # the wizard's way on after the fix (Retry, or the step to run first)
        self.step_id = step_id
        self.can_retry = can_retry
        self.matches = diagnose(error, step_id)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="failure-panel") as panel:
            panel.border_title = "Something went wrong"
            yield Static(failure_text(self.title_text, self.error, self.matches, self.then), id="failure-text")
            with ButtonRow(id="failure-actions"):  # docked: never scrolled away under a long error
                if self.can_retry:
                    yield Button("Retry (^r)", id="retry", variant="primary")
                yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        if self.can_retry:
            self.dismiss("retry")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss("close")
