"""Command palette: jump to a step, run a step, open the transcript.

The provider reads the step list from the screen it was opened on (every wizard screen is
given the state) and asks the App with messages, like any widget.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from supatui.ui.messages import ShowStep, ShowTranscript


class StepCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        from supatui.ui.screens.base import WizardScreen

        screen = self.screen
        found: list[tuple[str, str, Callable[[], object]]] = [
            ("Overview", "the welcome screen with every step's status", partial(self._ask, ShowStep(None))),
            ("Open transcript", "everything that ran in this session", partial(self._ask, ShowTranscript())),
        ]
        if not isinstance(screen, WizardScreen):
            return found
        for number, step_id in enumerate(screen.state.step_ids, start=1):
            title = screen.titles[step_id]
            found.append((f"Go to step {number}: {title}", "show its inputs, plan and result",
                          partial(self._ask, ShowStep(step_id))))
            found.append((f"Run step {number}: {title}", "go to it and run it now",
                          partial(self._ask, ShowStep(step_id, run=True))))
        return found

    def _ask(self, message: Message) -> None:
        self.screen.post_message(message)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
