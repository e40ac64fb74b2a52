"""Everything that ran in this session, step by step (already redacted), in one scrollable view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from supatui.ui.state import WizardState
from supatui.ui.widgets.live_log import LiveLog


class TranscriptScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss_screen", "Close")]

    def __init__(self, path: str | None, state: WizardState) -> None:
        super().__init__(id="transcript")
        self.path = path
        self.state = state

    def compose(self) -> ComposeResult:
        with Vertical(id="transcript-panel") as panel:
            panel.border_title = "Transcript of this session"
            where = f"Also written to {self.path}" if self.path else "Everything shown below ran in this session."
            yield Static(where, classes="field-note")
            yield LiveLog(id="transcript-log")
            yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        log = self.query_one(LiveLog)
        state = self.state
        for step_id in state.step_ids:
            events = state.steps[step_id].events
            if events:
                log.extend(events)
        if not log.texts:
            log.write("Nothing has run yet.")
        self.query_one("#close", Button).focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)
