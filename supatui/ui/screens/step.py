"""One screen per step: inputs, why, plan preview, Run, live log, verify result, Next.

The screen holds no state of its own beyond what is typed: it reads the App's state and
redraws when the App publishes a change. Blocking work goes through the App's workers.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, OptionList, Static

from supatui.core.steps.base import Step
from supatui.ui.access import wizard
from supatui.ui.jobs import Previewed
from supatui.ui.state import MARKS, Status
from supatui.ui.widgets.checklist import Checklist
from supatui.ui.widgets.live_log import LiveLog
from supatui.ui.widgets.plan_preview import PlanPreview
from supatui.ui.widgets.step_form import StepForm
from supatui.ui.widgets.stepper import Stepper

PREVIEW_DELAY = 0.25  # seconds of quiet typing before re-validating and re-planning


class StepScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+r", "run_step", "Run"),
        Binding("escape", "cancel_run", "Cancel"),
        Binding("ctrl+n", "next_step", "Next"),
        Binding("ctrl+b", "previous_step", "Back"),
        Binding("ctrl+o", "app.welcome", "Overview"),
    ]

    def __init__(self, step: Step) -> None:
        super().__init__(name=f"step-{step.id}", id=f"step-{step.id}")
        self.step = step
        self.errors: dict[str, str] | None = None  # None: not validated yet
        self._preview_timer: Timer | None = None

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = wizard(self)
        number = app.state.step_ids.index(self.step.id) + 1
        yield Header()
        with Horizontal(id="body"):
            yield Stepper(app.titles, id="stepper", compact=True)
            with VerticalScroll(id="main"):
                yield Static(f"Step {number} of {len(app.state.step_ids)} · {self.step.title}", id="step-title")
                yield Static(Text(self.step.why), id="why", classes="why")
                yield StepForm(self.step.id, app.ctx, sandbox=app.sandbox, keyring_usable=app.state.keyring_usable,
                               id="form")
                yield PlanPreview("", id="plan")
                with Horizontal(classes="buttons", id="actions"):
                    yield Button("Run (^r)", id="run", variant="primary")
                    yield Button("Cancel (esc)", id="cancel", variant="error")
                    yield Button("Next (^n)", id="next")
                yield Static("", id="run-status")
                yield LiveLog(id="log")
                yield Checklist("", id="checks")
        yield Footer()

    def on_mount(self) -> None:
        app = wizard(self)
        app.ensure_keyring()
        app.state_changed.subscribe(self, self.refresh_state)
        app.log_changed.subscribe(self, self._log_changed)
        self.query_one(StepForm).load()
        self.refresh_state()
        self.schedule_preview(0)

    def on_screen_resume(self) -> None:
        self.query_one(StepForm).load()
        self.refresh_state()
        self.schedule_preview(0)

    # -- state -> widgets --------------------------------------------------------------------

    def refresh_state(self, changed: str = "") -> None:
        app = wizard(self)
        if changed == "context":  # the sandbox or the keyring filled inputs in
            self.query_one(StepForm).load()
            self.schedule_preview(0)
        mine = app.state.steps[self.step.id]
        self.query_one(Stepper).update_from(app.state, self.step.id)
        self.query_one(LiveLog).sync(mine.run, mine.events)
        self.query_one(Checklist).show(mine)
        running = app.state.running
        self.query_one(StepForm).disabled = running is not None
        self.query_one("#run", Button).disabled = not self.can_run
        self.query_one("#run", Button).label = "Run again (^r)" if mine.status is Status.DONE else "Run (^r)"
        self.query_one("#cancel", Button).display = running == self.step.id
        is_last = app.state.next_of(self.step.id) is None
        self.query_one("#next", Button).label = "Finish (^n)" if is_last else "Next (^n)"
        self.query_one("#next", Button).variant = "success" if mine.status is Status.DONE else "default"
        self.query_one("#run-status", Static).update(self._status_line(mine.status, running))
        self.refresh_bindings()

    def _status_line(self, status: Status, running: str | None) -> str:
        if running and running != self.step.id:
            return f"Another step ({wizard(self).titles[running]}) is running; wait for it or press Esc there."
        if status is Status.RUNNING:
            return f"{MARKS[status]} Running… (Esc cancels and stops the command)"
        if self.errors:
            return "Fix the fields marked ✗ to enable Run."
        if self.errors is None:
            return "Checking the inputs…"
        return f"{MARKS[status]} Status: {status.value}"

    def _log_changed(self, step_id: str) -> None:
        if step_id == self.step.id:
            mine = wizard(self).state.steps[self.step.id]
            self.query_one(LiveLog).sync(mine.run, mine.events)

    @property
    def can_run(self) -> bool:
        return self.errors == {} and wizard(self).state.running is None

    # -- preview ----------------------------------------------------------------------------

    def schedule_preview(self, delay: float = PREVIEW_DELAY) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = None
        if delay <= 0:
            self.call_later(wizard(self).start_preview, self.step, self)
        else:
            self._preview_timer = self.set_timer(delay, lambda: wizard(self).start_preview(self.step, self))

    @on(StepForm.Changed)
    def _inputs_changed(self) -> None:
        self.errors = None
        self.query_one("#run", Button).disabled = True
        self.schedule_preview()

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        if message.step_id != self.step.id:
            return
        self.errors = message.errors
        self.query_one(StepForm).show_errors(message.errors)
        self.query_one(PlanPreview).show(message.plan, message.problem)
        self.refresh_state()

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run_step":
            return True if self.can_run else None  # None: shown dimmed in the footer
        if action == "cancel_run":
            return wizard(self).state.running == self.step.id
        return True

    @on(Button.Pressed, "#run")
    def action_run_step(self) -> None:
        if self.can_run:
            wizard(self).run_step(self.step.id)
            self.query_one(LiveLog).scroll_visible()

    @on(Button.Pressed, "#cancel")
    def action_cancel_run(self) -> None:
        wizard(self).cancel_run()

    @on(Button.Pressed, "#next")
    def action_next_step(self) -> None:
        app = wizard(self)
        following = app.state.next_of(self.step.id)
        if following is None:
            app.action_welcome()
        else:
            app.show_step(following)

    def action_previous_step(self) -> None:
        app = wizard(self)
        previous = app.state.previous_of(self.step.id)
        if previous is None:
            app.action_welcome()
        else:
            app.show_step(previous)

    @on(OptionList.OptionSelected, "#stepper")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.step.id:
            wizard(self).show_step(event.option.id)
