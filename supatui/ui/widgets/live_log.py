"""The live log: each SQL statement and each output line, as the events arrive."""

from __future__ import annotations

from rich.console import RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.widgets import RichLog

from supatui.core.events import Event, EventKind
from supatui.ui.widgets.plan_preview import SYNTAX_THEME


def render_event(event: Event) -> RenderableType | None:
    kind, text = event.kind, event.text
    if kind is EventKind.SQL:
        return Syntax(text.rstrip(), "sql", theme=SYNTAX_THEME, background_color="default", word_wrap=True)
    if kind is EventKind.SQL_DONE:
        return Text(f"  ✓ {text}", style="bold")
    if kind is EventKind.COMMAND:
        return Text(text if text.startswith("$") else f"$ {text}", style="bold")
    if kind is EventKind.OUTPUT:
        return Text(f"  {text}")
    if kind is EventKind.COMMAND_EXIT:
        ok = event.data.get("returncode", 0) == 0
        return Text(f"  {'✓' if ok else '✗'} {text}", style="bold" if ok else "bold underline")
    if kind is EventKind.FILE_WRITTEN:
        return Text(f"  {text}", style="bold")
    if kind is EventKind.WARNING:
        return Text(f"warning: {text}", style="bold")
    if kind is EventKind.CHECK:
        ok = bool(event.data.get("ok"))
        word = "PASS" if ok else "FAIL"
        return Text(f"  {'✓' if ok else '✗'} {text if text.startswith(word) else word + ' ' + text}")
    if kind is EventKind.STEP_STARTED:
        return Text(f"── {text or 'started'} ──", style="bold")
    if kind in (EventKind.STEP_DONE, EventKind.STEP_FAILED) and "seconds" in event.data:
        return step_summary(event)
    if kind in (EventKind.STEP_DONE, EventKind.STEP_SKIPPED, EventKind.STEP_FAILED):
        word = {EventKind.STEP_DONE: "done", EventKind.STEP_SKIPPED: "skipped", EventKind.STEP_FAILED: "failed"}[kind]
        return Text(f"── {word}{': ' + text if text else ''} ──", style="bold")
    return Text(text) if text else None


def step_summary(event: Event) -> Text:
    """The run's last line: what finished, how, and how long it took ("✓ Create the prisma role — done in 0.4 s")."""
    title = str(event.data.get("title") or event.step)
    seconds = float(event.data.get("seconds") or 0.0)
    if event.kind is EventKind.STEP_DONE:
        return Text(f"✓ {title} — done in {seconds:.1f} s", style="bold")
    how = "cancelled" if event.text == "cancelled" else "failed"
    return Text(f"✗ {title} — {how} after {seconds:.1f} s", style="bold underline")


class LiveLog(RichLog):
    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        # min_width=1: wrap at the widget's own width (RichLog's default 78 clips an 80-column screen)
        super().__init__(id=id, wrap=True, markup=False, highlight=False, auto_scroll=True, min_width=1)
        self.border_title = "Live log"
        self.texts: list[str] = []  # plain text of what was shown (tests, transcript)
        self._run = -1
        self._shown = 0

    def add(self, event: Event) -> None:
        rendered = render_event(event)
        if rendered is not None:
            self.texts.append(event.text)
            self.write(rendered)

    def extend(self, events: list[Event]) -> None:
        for event in events:
            self.add(event)

    def sync(self, run: int, events: list[Event]) -> None:
        """Show what is new since the last call; start over when a new run began."""
        if run != self._run:
            self.clear()
            self.texts.clear()
            self._run, self._shown = run, 0
        self.extend(events[self._shown:])
        self._shown = len(events)
