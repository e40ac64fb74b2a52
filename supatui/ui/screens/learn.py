"""Learn mode in the wizard: "I'll do it myself" shows what to type, and Check judges the result.

The panel is given the step and the wizard's context (read only). Check runs the same read-only
checks as ``supatui check`` in a thread worker, which posts a typed :class:`DoItYourself.Checked`;
a step found done is recorded (saved state, and the App's overview via ``Detected``).
"""

from __future__ import annotations

import contextlib

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from supatui.core.context import StepContext
from supatui.core.learn import StepReport, check_step
from supatui.core.learn.lessons import Lesson, lesson
from supatui.core.redact import redact
from supatui.core.state import mark_step
from supatui.core.steps.base import AnyStep
from supatui.ui.messages import Detected
from supatui.ui.widgets.button_row import ButtonRow


def lesson_text(step: AnyStep, taught: Lesson) -> Group:
    head = Text()
    head.append(f"{step.title}: do it yourself\n\n", style="bold")
    head.append(f"Why: {taught.why}\n\n")
    head.append(f"What to notice: {taught.notice}\n\n")
    head.append("Type this:\n", style="bold")
    return Group(head, Syntax(taught.type_this, taught.language, word_wrap=True, theme="ansi_dark"))


def report_text(report: StepReport) -> Text:
    text = Text()
    if report.done:
        text.append(f"✓ Done: {report.title}\n", style="bold")
        for line in report.seen:
            text.append(f"  · {redact(line)}\n")
        return text
    text.append(f"✗ Not done yet: {len(report.missing)} thing(s) missing\n", style="bold")
    for finding in report.missing:
        text.append(f"\n  missing: {redact(finding.what)}\n")
        text.append(f"  fix:     {redact(finding.fix)}\n", style="bold")
    return text


class DoItYourself(ModalScreen[bool]):
    """Dismissed with True when the step was checked done."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("ctrl+k", "check", "Check"),
                Binding("ctrl+y", "copy", "Copy")]

    class Checked(Message):
        def __init__(self, report: StepReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self, step: AnyStep, ctx: StepContext) -> None:
        super().__init__(id="learn")
        self.step = step
        self.ctx = ctx
        self.lesson = lesson(ctx, step.id)
        self.done = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="learn-panel") as panel:
            panel.border_title = "I'll do it myself"
            yield Static(lesson_text(self.step, self.lesson), id="learn-lesson")
            with ButtonRow(id="learn-actions"):  # docked: never scrolled away under a long lesson
                yield Button("Check (^k)", id="check", variant="primary")
                yield Button("Copy (^y)", id="copy")
                yield Button("Close (esc)", id="close")
            yield Static("Do it in your own terminal or the SQL editor, then press Check.", id="learn-result")

    def on_mount(self) -> None:
        self.query_one("#check", Button).focus()

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.lesson.type_this)
        self.notify("Copied to the clipboard (OSC 52: most terminals paste it).", timeout=3)

    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        self.query_one("#learn-result", Static).update("Checking…")
        self._check()

    @work(thread=True, exclusive=True, exit_on_error=False, group="learn", description="Checking the step")
    def _check(self) -> None:
        report = check_step(self.ctx, self.step.id)
        if report.done:
            with contextlib.suppress(OSError):
                mark_step(self.ctx.config.project_dir, self.step.id, "done")
        self._tell_room(report)
        self.post_message(self.Checked(report))

    def _tell_room(self, report: StepReport) -> None:
        """In a workshop room joined with --share, the board sees the step done (or still being worked on)."""
        from supatui.room.join import reporter_for

        reporter = reporter_for(self.ctx.config.project_dir)
        if reporter is not None:
            reporter.send({"step": self.step.id, "status": "done" if report.done else "started"})
            reporter.flush(timeout=3)

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        self.done = message.report.done
        self.query_one("#learn-result", Static).update(report_text(message.report))
        self.app.post_message(Detected(self.step.id, message.report.done))

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(self.done)
