"""What every wizard screen is given (attributes down): the state, the step titles, the signal."""

from __future__ import annotations

from textual.screen import Screen
from textual.signal import Signal

from supatui.ui.messages import StateChange
from supatui.ui.state import WizardState


class WizardScreen(Screen[None]):
    def __init__(self, state: WizardState, titles: dict[str, str], state_changed: Signal[StateChange], *,
                 name: str | None = None, id: str | None = None) -> None:  # noqa: A002
        super().__init__(name=name, id=id)
        self.state = state  # owned and mutated by the App, on the UI thread; read here
        self.titles = titles
        self.state_changed = state_changed
