"""The wizard App: navigation between screens, the state, and the one error funnel.

Everything blocking runs in thread workers started here (so one ``Worker.StateChanged``
handler sees every failure); screens render ``self.state`` and redraw on ``state_changed``.
Steps run through the core ``Walkthrough``, the same orchestration as ``supatui run``.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.message_pump import MessagePump
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from supatui.core.context import StepContext
from supatui.core.errors import Cancelled, StepFailed, SupatuiError, as_user_error
from supatui.core.events import Event, EventKind
from supatui.core.plan import Check, Plan
from supatui.core.runner import CancelToken
from supatui.core.steps.base import Step
from supatui.ui import jobs
from supatui.ui.commands import StepCommands
from supatui.ui.screens.welcome import WelcomeScreen
from supatui.ui.state import Status, WizardState
from supatui.ui.theme import SUPATUI_THEME, THEME_NAME

STYLES = Path(__file__).parent / "styles"


def checks_from_events(events: list[Event]) -> list[Check]:
    """The verify results as the walkthrough emitted them (a failed step's outcome carries none)."""
    checks: list[Check] = []
    for event in events:
        if event.kind is EventKind.CHECK and "name" in event.data:
            name = str(event.data["name"])
            detail = event.text.partition(f"{name}: ")[2] if f"{name}: " in event.text else ""
            checks.append(Check(name, bool(event.data.get("ok")), detail))
    return checks


class SupatuiApp(App[int]):
    TITLE = "supatui"
    SUB_TITLE = "Connecting with Prisma"
    CSS_PATH = [STYLES / "app.tcss", STYLES / "widgets.tcss"]
    COMMANDS = App.COMMANDS | {StepCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("ctrl+o", "welcome", "Overview", show=False),
        Binding("ctrl+t", "transcript", "Transcript"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, context: StepContext, *, sandbox: bool, steps: list[Step] | None = None,
                 done: set[str] | None = None, transcript: Any = None) -> None:
        super().__init__()
        from supatui.core.steps import STEP_IDS

        self.ctx = context
        self.sandbox = sandbox
        # The real steps import psycopg & co.: they load in a worker after the first paint.
        self.steps: dict[str, Step] = {step.id: step for step in steps or []}
        step_ids = [step.id for step in steps] if steps else list(STEP_IDS)
        self.titles = {step.id: step.title for step in steps} if steps else {i: f"{i} (loading…)" for i in step_ids}
        self._pending_step: str | None = None
        self._keyring_started = False
        self._resumed = bool(done)
        self.state = WizardState(step_ids=step_ids)
        for step_id in done or ():
            if step_id in self.state.steps:
                self.state.steps[step_id].status = Status.DONE
        self.transcript = transcript  # core TranscriptWriter, when available
        self.state_changed: Signal[str] = Signal(self, "state-changed")
        self.log_changed: Signal[str] = Signal(self, "log-changed")
        # Before mounting: choosing a theme later would restyle every widget a second time.
        self.register_theme(SUPATUI_THEME)
        self.theme = THEME_NAME

    def on_mount(self) -> None:
        self.install_screen(WelcomeScreen(id="welcome"), "welcome")
        self.push_screen("welcome")
        if self.ctx.config.target is not None:  # resuming a project: its passwords may be in the keyring
            self.call_after_refresh(self.ensure_keyring)
        if self.sandbox:
            self.state.sandbox_status = "starting"
            self.run_worker(partial(jobs.start_sandbox, self.post_message), group="sandbox", thread=True,
                            exclusive=True, exit_on_error=False, description="Starting the sandbox")
        if self.steps:
            self.start_detect()
        elif self.sandbox or self._resumed or self._has_progress():
            self.call_after_refresh(self.load_steps)
        else:  # an empty folder: nothing to detect, and the steps (psycopg & co.) load when first needed
            for step in self.state.steps.values():
                step.status = Status.PENDING

    def _has_progress(self) -> bool:
        """Anything of the guide's already in the folder (supatui's own transcript does not count)."""
        folder = self.ctx.config.project_dir
        return any((folder / name).exists() for name in ("package.json", ".env", "prisma", "index.ts"))

    def load_steps(self) -> None:
        if not self.steps:
            self.run_worker(partial(jobs.load_steps, self.post_message), group="steps", thread=True,
                            exclusive=True, exit_on_error=False, description="Loading the steps")

    def ensure_keyring(self) -> None:
        """Read the keyring once (in a thread: a locked Secret Service can hang)."""
        if not self._keyring_started:
            self._keyring_started = True
            self.run_worker(partial(jobs.load_secrets, jobs.snapshot(self.ctx), self.post_message), group="keyring",
                            thread=True, exit_on_error=False, description="Reading the keyring")

    @on(jobs.StepsLoaded)
    def _steps_loaded(self, message: jobs.StepsLoaded) -> None:
        self.steps = {step.id: step for step in message.steps}
        self.titles.update({step.id: step.title for step in message.steps})
        self.publish("titles")
        self.start_detect()
        if self._pending_step is not None:
            self.show_step(self._pending_step)

    def publish(self, changed: str = "") -> None:
        self.state_changed.publish(changed)

    # -- navigation -------------------------------------------------------------------------

    def show_step(self, step_id: str) -> None:
        from supatui.ui.screens.step import StepScreen

        if step_id not in self.steps:  # not loaded yet: go there as soon as they are
            self._pending_step = step_id
            self.load_steps()
            return
        self._pending_step = None
        name = f"step-{step_id}"
        if not self.is_screen_installed(name):
            self.install_screen(StepScreen(self.steps[step_id]), name)
        self.state.current = step_id
        self.switch_screen(name)

    def action_welcome(self) -> None:
        self.state.current = None
        self.switch_screen("welcome")

    def action_transcript(self) -> None:
        from supatui.ui.screens.transcript import TranscriptScreen

        self.push_screen(TranscriptScreen(getattr(self.transcript, "path", None)))

    # -- workers ----------------------------------------------------------------------------

    def start_detect(self) -> None:
        if not self.steps or self.state.sandbox_status == "starting":
            return  # detect once both the steps and the sandbox are there
        for step in self.state.steps.values():
            if step.status is not Status.DONE:
                step.status = Status.CHECKING
        pending = [self.steps[i] for i in self.state.step_ids if self.state.steps[i].status is not Status.RUNNING]
        self.run_worker(partial(jobs.detect_all, pending, jobs.snapshot(self.ctx), self.post_message),
                        group="detect", thread=True, exclusive=True, exit_on_error=False,
                        description="Checking which steps are done")

    def start_preview(self, step: Step, screen: MessagePump) -> None:
        self.run_worker(partial(jobs.preview, step, jobs.snapshot(self.ctx), screen.post_message), group="preview",
                        thread=True, exclusive=True, exit_on_error=False, description=f"Planning {step.title}")

    def run_step(self, step_id: str) -> None:
        if self.state.running is not None:
            self.notify("A step is already running; wait for it or press Esc.", severity="warning")
            return
        self.ctx.cancel = CancelToken()  # a fresh token per run: an old Esc must not stop this one
        mine = self.state.steps[step_id]
        mine.status, mine.events, mine.checks, mine.error = Status.RUNNING, [], [], None
        mine.run += 1
        self.publish(step_id)
        self.run_worker(partial(self._run_body, step_id), name=step_id, group="run", thread=True,
                        exit_on_error=False, description=f"Running {self.titles[step_id]}")

    def _run_body(self, step_id: str) -> None:
        """Thread: run through the shared Walkthrough; a failure is re-raised for the error funnel."""
        from supatui.core.walkthrough import Walkthrough

        def emit(event: Event) -> None:
            if self.transcript is not None:
                self.transcript(event)
            self.post_message(jobs.StepEvent(event))

        def on_plan(plan: Plan) -> None:
            if self.transcript is not None:
                self.transcript.record_plan(plan)

        if self.transcript is not None:  # inputs (or the sandbox) may have changed since launch
            from supatui.core.transcript import database_for

            database = database_for(self.ctx.config)
            if database is not None:
                self.transcript.set_database(database)
        walkthrough = Walkthrough(self.ctx, emit=emit, on_plan=on_plan, steps=list(self.steps.values()))
        outcome = walkthrough.run_step(step_id, redo=True)
        self.post_message(jobs.StepVerified(step_id, outcome.checks))
        if outcome.error is not None:
            raise outcome.error
        warning = jobs.store_secrets(self.ctx)
        if warning:
            self.call_from_thread(self.notify, warning, title="Keyring", severity="warning")

    def cancel_run(self) -> None:
        if self.state.running is not None:
            self.ctx.cancel.cancel()
            self.notify("Stopping the step and its command…", title="Cancel")

    # -- messages from workers (UI thread) --------------------------------------------------

    @on(jobs.StepEvent)
    def _step_event(self, message: jobs.StepEvent) -> None:
        step = self.state.steps.get(message.event.step)
        if step is not None:
            step.events.append(message.event)
            self.log_changed.publish(message.event.step)

    @on(jobs.StepVerified)
    def _step_verified(self, message: jobs.StepVerified) -> None:
        mine = self.state.steps[message.step_id]
        mine.checks = message.checks or checks_from_events(mine.events)
        if mine.status is Status.RUNNING and mine.checks and all(check.ok for check in mine.checks):
            mine.status = Status.DONE
            self.notify(f"{self.titles[message.step_id]}: done, all checks passed.", title="✓ Step done")
        self.publish(message.step_id)

    @on(jobs.Detected)
    def _detected(self, message: jobs.Detected) -> None:
        mine = self.state.steps[message.step_id]
        if mine.status in (Status.CHECKING, Status.PENDING, Status.DONE):
            mine.status = Status.DONE if message.done else Status.PENDING
        self.publish(message.step_id)

    @on(jobs.SecretsLoaded)
    def _secrets_loaded(self, message: jobs.SecretsLoaded) -> None:
        self.state.keyring_usable, self.state.keyring_detail = message.usable, message.detail
        secrets = self.ctx.secrets
        if message.admin and not secrets.admin_password:
            secrets.admin_password = message.admin
        if message.prisma and not secrets.prisma_password:
            secrets.prisma_password = message.prisma
        self.publish("context")

    @on(jobs.SandboxReady)
    def _sandbox_ready(self, message: jobs.SandboxReady) -> None:
        from supatui.core.walkthrough import context_from_sandbox

        info = message.info
        fresh = context_from_sandbox(info, self.ctx.config.project_dir)
        fresh.config = dataclasses.replace(fresh.config, package_manager=self.ctx.config.package_manager,
                                           prisma_major=self.ctx.config.prisma_major)
        self.ctx.config, self.ctx.secrets.admin_password = fresh.config, fresh.secrets.admin_password
        self.state.sandbox_status = "ready"
        target = info.target
        self.state.sandbox_detail = f"project {target.ref} on {target.pooler_host}:{target.session_port}"
        self.publish("context")
        self.start_detect()

    # -- the error funnel -------------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is not WorkerState.ERROR or worker.error is None:
            return
        from supatui.ui.screens.failure import FailureScreen

        error = as_user_error(worker.error)
        if worker.group == "run":
            self._run_failed(worker.name, error)
        elif worker.group == "sandbox":
            self.state.sandbox_status, self.state.sandbox_detail = "failed", error.message
            self.notify(error.message, title="Sandbox failed", severity="error")
            self.push_screen(FailureScreen("The sandbox did not start", error, step_id=None, can_retry=False))
        else:
            self.notify(error.one_line(), title="Error", severity="error")
        self.publish(worker.name)

    def _run_failed(self, step_id: str, error: SupatuiError) -> None:
        from supatui.ui.screens.failure import FailureScreen

        mine = self.state.steps[step_id]
        if isinstance(error, Cancelled):
            mine.status = Status.PENDING
            self.notify("Stopped. Nothing half-written was kept; run the step again when ready.",
                        title="Cancelled", severity="warning")
            return
        mine.status, mine.error = Status.FAILED, error
        title = f"{self.titles[step_id]} failed"
        self.notify(error.message, title=f"✗ {title}", severity="error", timeout=8)
        step_for_diag = error.step if isinstance(error, StepFailed) else step_id

        def after(choice: str | None) -> None:
            if choice == "retry":
                self.run_step(step_id)

        self.push_screen(FailureScreen(title, error, step_id=step_for_diag, can_retry=True), after)

    async def action_quit(self) -> None:
        self.ctx.cancel.cancel()  # stops a running child so nothing keeps writing after we leave
        self.exit(0)
