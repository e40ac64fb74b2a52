"""The live log wraps at 80 columns instead of clipping behind a horizontal scrollbar (RichLog's min_width=78)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from supatui.core.events import Event, EventKind
from supatui.ui.widgets.live_log import LiveLog


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("steps", id="side")  # the wizard's stepper takes part of the 80 columns
            yield LiveLog(id="log")

    CSS = "#side { width: 24; } #log { width: 1fr; }"


async def test_live_log_wraps_inside_80_columns() -> None:
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(LiveLog)
        log.add(Event("project", EventKind.OUTPUT, "added 123 packages, and audited 124 packages in 9s " * 3))
        log.add(Event("role", EventKind.SQL, "grant all on all sequences in schema public to prisma; " * 2))
        await pilot.pause()
        assert log.size.width < 78
        assert log.virtual_size.width <= log.scrollable_content_region.width, (log.virtual_size, log.size)
        assert not log.show_horizontal_scrollbar
