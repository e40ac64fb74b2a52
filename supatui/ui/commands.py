"""Command palette: jump to a step, run a step, open the transcript."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from supatui.ui.access import wizard


class StepCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = wizard(self.screen)
        found: list[tuple[str, str, Callable[[], object]]] = [
            ("Overview", "the welcome screen with every step's status", app.action_welcome),
            ("Open transcript", "everything that ran in this session", app.action_transcript),
        ]
        for number, step_id in enumerate(app.state.step_ids, start=1):
            title = app.titles[step_id]
            found.append((f"Go to step {number}: {title}", "show its inputs, plan and result",
                          partial(app.show_step, step_id)))
            found.append((f"Run step {number}: {title}", "go to it and run it now",
                          partial(self._go_and_run, step_id)))
        return found

    def _go_and_run(self, step_id: str) -> None:
        app = wizard(self.screen)
        app.show_step(step_id)
        app.call_later(app.run_step, step_id)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
