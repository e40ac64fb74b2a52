"""One screen per step: inputs, why, plan preview, Run, live log, verify result, Next.

The screen is given the step, the wizard's context (read only: its form edits a draft), the
state and the signals; it redraws when the App publishes a change and asks the App for
everything else with messages (RunStep, ShowStep, PreviewRequested, ...).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.signal import Signal
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, OptionList, Static

from supatui.core.conntest import TESTABLE, LoginTest
from supatui.core.context import StepContext
from supatui.core.steps.base import AnyStep
from supatui.ui.messages import (
    CancelRun,
    InputsEdited,
    KeyringNeeded,
    LoginTested,
    Previewed,
    PreviewRequested,
    RunStep,
    ShowStep,
    StateChange,
)
from supatui.ui.screens.base import WizardScreen
from supatui.ui.state import MARKS, Status, WizardState, snapshot
from supatui.ui.widgets.button_row import ButtonRow
from supatui.ui.widgets.checklist import Checklist
from supatui.ui.widgets.live_log import LiveLog
from supatui.ui.widgets.plan_preview import PlanPreview
from supatui.ui.widgets.step_form import StepForm
from supatui.ui.widgets.stepper import Stepper

PREVIEW_DELAY = 0.25  # seconds of quiet typing before re-validating and re-planning


class StepScreen(WizardScreen):
    BINDINGS = [
        Binding("ctrl+r", "run_step", "Run"),
        Binding("escape", "cancel_run", "Cancel"),
        Binding("ctrl+n", "next_step", "Next"),
        Binding("ctrl+n", "finish", "Finish"),  # the last step's ^n, as its button says (see check_action)
        Binding("ctrl+b", "previous_step", "Back"),
        Binding("ctrl+o", "app.welcome", "Overview"),
        # The buttons show these keys; the footer keeps to what fits at 80 columns.
        Binding("ctrl+d", "do_it_myself", "Do it myself", show=False, priority=True),
        Binding("ctrl+g", "test_connection", "Test connection", show=False),
    ]

    def __init__(self, step: AnyStep, ctx: StepContext, state: WizardState, titles: dict[str, str],
                 state_changed: Signal[StateChange], log_changed: Signal[str], *, sandbox: bool) -> None:
        super().__init__(state, titles, state_changed, name=f"step-{step.id}", id=f"step-{step.id}")
        self.step = step
        self.ctx = ctx  # the wizard's inputs: read here, edited only through the form's draft
        self.log_changed = log_changed
        self.sandbox = sandbox
        self.errors: dict[str, str] | None = None  # None: not validated yet
        self._preview_timer: Timer | None = None
        self._awaiting_preview = True  # the first plan is asked for on mount
        self.testing = False  # a "Test connection" login is under way (one at a time, one per press)
        self.run_queued = False  # Run was pressed while the inputs were still being checked: runs when they pass
        self._status_shown: str | None = None  # what #run-status and the footer show (typing must not redraw them)
        self._bindings_shown: tuple[bool | None, bool | None] | None = None

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        number = self.state.step_ids.index(self.step.id) + 1
        yield Header()
        with Horizontal(id="body"):
            yield Stepper(self.titles, id="stepper", compact=True)
            with Vertical(id="column"):
                with VerticalScroll(id="main", can_focus=False):  # Tab goes to the first input, not the scroller
                    yield Static(f"Step {number} of {len(self.state.step_ids)} · {self.step.title}", id="step-title")
                    yield Static(Text(self.step.why), id="why", classes="why")
                    yield StepForm(self.step.inputs, self.ctx, sandbox=self.sandbox,
                                   keyring_usable=self.state.keyring_usable, id="form")
                    yield PlanPreview("", id="plan")
                    yield LiveLog(id="log")
                    yield Checklist("", id="checks")
                # Under the scrolling part, not in it: the actions are never below the fold (issue 11 item 6).
                with Vertical(id="action-bar"):
                    yield Static("", id="run-status")
                    with ButtonRow(id="actions"):
                        yield Button("Run (^r)", id="run", variant="primary")
                        yield Button("Cancel (esc)", id="cancel", variant="error")
                        yield Button("Next (^n)", id="next")
                        yield Button("Do it myself (^d)", id="learn-open")
                        if self.step.id in TESTABLE:
                            yield Button("Test connection (^g)", id="test-login")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.post_message(KeyringNeeded())
        self.state_changed.subscribe(self, self.refresh_state)
        self.log_changed.subscribe(self, self._log_changed)
        self._load_form()
        self.refresh_state()
        self.schedule_preview(0)

    def on_screen_resume(self) -> None:
        self._load_form()
        self.refresh_state()
        self.schedule_preview(0)

    def _load_form(self) -> None:
        self.query_one(StepForm).load(self.ctx, self.state.keyring_usable)

    # -- state -> widgets --------------------------------------------------------------------

    def refresh_state(self, change: StateChange | None = None) -> None:
        if change is not None and change.inputs:  # the sandbox or the keyring filled inputs in
            self._load_form()
            self.schedule_preview(0)
        mine = self.state.steps[self.step.id]
        self.query_one(Stepper).update_from(self.state, self.step.id)
        self.query_one(LiveLog).sync(mine.run, mine.events)
        self.query_one(Checklist).show(mine)
        running = self.state.running
        self.query_one(StepForm).disabled = running is not None
        self.query_one("#cancel", Button).display = running == self.step.id
        is_last = self.state.next_of(self.step.id) is None
        self.query_one("#next", Button).label = "Finish (^n)" if is_last else "Next (^n)"
        self.query_one("#next", Button).variant = "success" if mine.status is Status.DONE else "default"
        self._show_run()

    def _show_run(self) -> None:
        """The Run button and the status line: busy while running, queued while the inputs are checked."""
        mine, running = self.state.steps[self.step.id], self.state.running
        run = self.query_one("#run", Button)
        run.disabled = not (self.can_run or self.can_queue_run)
        if running == self.step.id:
            run.label = "Running…"  # busy: disabled, and says so
        elif self.run_queued:
            run.label = "Run queued…"
        else:
            run.label = "Run again (^r)" if mine.status is Status.DONE else "Run (^r)"
        status = self._status_line(mine.status, running)
        if status != self._status_shown:  # an update re-lays the screen out, even with the same text
            self._status_shown = status
            self.query_one("#run-status", Static).update(status)
        self.query_one(ButtonRow).reflow()  # labels and shown buttons may have changed
        bindings = (self.check_action("run_step", ()), self.check_action("cancel_run", ()))
        if bindings != self._bindings_shown:  # the footer rebuilds all its keys on every refresh: only on a change
            self._bindings_shown = bindings
            self.refresh_bindings()

    def _status_line(self, status: Status, running: str | None) -> str:
        if running and running != self.step.id:
            return f"Another step ({self.titles[running]}) is running; wait for it or press Esc there."
        if status is Status.RUNNING:
            return f"{MARKS[status]} Running… (Esc cancels and stops the command)"
        if self.run_queued:
            return "Checking the inputs… Run starts as soon as they pass."
        if self.errors:
            return "Fix the fields marked ✗ to enable Run."
        if self.errors is None:
            return "Checking the inputs…"
        return f"{MARKS[status]} Status: {status.value}"

    def _log_changed(self, step_id: str) -> None:
        if step_id == self.step.id:
            mine = self.state.steps[self.step.id]
            self.query_one(LiveLog).sync(mine.run, mine.events)

    @property
    def can_run(self) -> bool:
        return self.errors == {} and self.state.running is None and not self._awaiting_preview

    @property
    def can_queue_run(self) -> bool:
        """Still re-validating and re-planning (typing, or just opened): a Run pressed now waits for that."""
        return self.state.running is None and (self.errors is None or self._awaiting_preview) and not self.errors

    # -- preview ----------------------------------------------------------------------------

    def schedule_preview(self, delay: float | None = None) -> None:
        delay = PREVIEW_DELAY if delay is None else delay
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = None
        self._awaiting_preview = True
        if delay <= 0:
            self.call_later(self._request_preview)
        else:
            self._preview_timer = self.set_timer(delay, self._request_preview)

    def _request_preview(self) -> None:
        self._preview_timer = None
        self.post_message(PreviewRequested(self.step.id, snapshot(self.query_one(StepForm).draft)))

    @property
    def settled(self) -> bool:
        """No re-plan scheduled or awaited (tests wait on this instead of on a clock)."""
        return not self._awaiting_preview

    @on(StepForm.Changed)
    def _inputs_changed(self, message: StepForm.Changed) -> None:
        message.stop()
        self.post_message(InputsEdited(message.ctx))
        self.errors = None
        self.schedule_preview()
        self._show_run()

    def show_preview(self, message: Previewed) -> None:
        """The App hands this screen its own preview result."""
        self._awaiting_preview = self._preview_timer is not None  # a newer request may be on its way
        self.errors = message.errors
        self.query_one(StepForm).show_errors(message.errors)
        self.query_one(PlanPreview).show(message.plan, message.problem)
        if self.run_queued and not self._awaiting_preview:
            self.run_queued = False
            if self.can_run:
                self._start_run()
            else:
                self.notify("Run did not start: fix the fields marked ✗ first.", title="Run", severity="warning")
        self.refresh_state()

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run_step":
            return True if self.can_run or self.can_queue_run else None  # None: shown dimmed in the footer
        if action == "cancel_run":
            return self.state.running == self.step.id
        if action == "test_connection":
            return self.step.id in TESTABLE
        if action in ("next_step", "finish"):  # one of the two ^n bindings, so the footer names what it does
            return (self.state.next_of(self.step.id) is None) == (action == "finish")
        return True

    @on(Button.Pressed, "#run")
    def action_run_step(self) -> None:
        if self.can_run:
            self._start_run()
        elif self.can_queue_run and not self.run_queued:  # once: a second press does not run it twice
            self.run_queued = True
            self._show_run()

    def _start_run(self) -> None:
        self.post_message(RunStep(self.step.id))
        self.query_one(LiveLog).scroll_visible()

    @on(Button.Pressed, "#cancel")
    def action_cancel_run(self) -> None:
        self.post_message(CancelRun())

    @on(Button.Pressed, "#next")
    def action_next_step(self) -> None:
        self.post_message(ShowStep(self.state.next_of(self.step.id)))

    def action_finish(self) -> None:
        self.action_next_step()  # the last step's next is the overview

    @on(Button.Pressed, "#learn-open")
    def action_do_it_myself(self) -> None:
        """Learn mode: what to type for this step, and a Check that judges it (screens/learn.py)."""
        from supatui.ui.screens.learn import DoItYourself

        self.app.push_screen(DoItYourself(self.step, self.ctx))

    @on(Button.Pressed, "#test-login")
    def action_test_connection(self) -> None:
        """One login with the form's complete, validated input (never on typing: issue 10 defect 2)."""
        if self.step.id not in TESTABLE:
            return
        if self.testing:
            self.notify("Still testing the connection; one login at a time.", title="Test connection")
            return
        self.testing = True
        self._test_login(snapshot(self.query_one(StepForm).draft))

    @work(thread=True, group="login-test", exit_on_error=False, description="Testing the connection")
    def _test_login(self, ctx: StepContext) -> None:
        from supatui.core.conntest import try_login

        ctx.secrets.commit()  # an explicit action: the typed passwords are settled (registered with the redactor)
        self.post_message(LoginTested(self.step.id, try_login(self.step.id, ctx, dict(self.step.validate(ctx)))))

    @on(LoginTested)
    def _login_tested(self, message: LoginTested) -> None:
        message.stop()
        self.testing = False
        result: LoginTest = message.result
        if result.ok:
            self.notify(result.message, title="✓ Test connection")
        else:
            self.notify(result.message, title="✗ Test connection" if result.attempted else "Test connection",
                        severity="error" if result.attempted else "warning", timeout=8)

    def action_previous_step(self) -> None:
        self.post_message(ShowStep(self.state.previous_of(self.step.id)))

    @on(OptionList.OptionSelected, "#stepper")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.step.id:
            self.post_message(ShowStep(event.option.id))
