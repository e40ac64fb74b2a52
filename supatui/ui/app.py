"""The wizard App: navigation between screens, the state, the workers and the one error funnel.

Attributes down, messages up: screens get the state, the titles and the signals when they are
made, and ask for everything else with the messages in ``ui/messages.py``. Blocking work runs
in ``@work`` thread methods here that post a typed result; a worker that crashes ends in the
single ``Worker.StateChanged`` funnel, and every failure is shown by :meth:`show_error`.
Steps run through the core ``Walkthrough``, the same orchestration as ``supatui run``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from supatui.core.context import StepContext
from supatui.core.errors import SupatuiError, as_user_error
from supatui.core.runner import CancelToken
from supatui.ui import jobs
from supatui.ui.commands import StepCommands
from supatui.ui.messages import (
    CancelRun,
    Detected,
    InputsEdited,
    KeyringNeeded,
    Previewed,
    PreviewRequested,
    RunStep,
    SandboxFailed,
    SandboxReady,
    SecretsLoaded,
    ShowStep,
    ShowTranscript,
    StateChange,
    StepEvent,
    StepFinished,
    StepsLoaded,
)
from supatui.ui.screens.welcome import WelcomeScreen
from supatui.ui.state import Status, WizardState
from supatui.ui.theme import SUPATUI_THEME, THEME_NAME

if TYPE_CHECKING:
    from supatui.core.events import Event
    from supatui.core.plan import Plan
    from supatui.core.steps.base import AnyStep

STYLES = Path(__file__).parent / "styles"


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

    def __init__(self, context: StepContext, *, sandbox: bool, steps: list[AnyStep] | None = None,
                 done: set[str] | None = None, transcript_factory: Callable[[], Any] | None = None) -> None:
        super().__init__()
        from supatui.core.steps import STEP_IDS, TITLES

        self.ctx = context
        self.sandbox = sandbox
        # The real steps import psycopg & co.: they load in a worker after the first paint.
        self.steps: dict[str, AnyStep] = {step.id: step for step in steps or []}
        step_ids = [step.id for step in steps] if steps else list(STEP_IDS)
        self.titles = {step.id: step.title for step in steps} if steps else {i: TITLES[i] for i in step_ids}
        self._pending_step: str | None = None
        self._keyring_started = False
        self._resumed = bool(done)
        self.state = WizardState(step_ids=step_ids, project_dir=context.config.project_dir,
                                 package_manager=context.config.package_manager)
        for step_id in done or ():
            if step_id in self.state.steps:
                self.state.steps[step_id].status = Status.DONE
        self.transcript: Any = None  # core TranscriptWriter: made just after the first frame (datetime & co.)
        self._transcript_factory = transcript_factory
        self.state_changed: Signal[StateChange] = Signal(self, "state-changed")
        self.log_changed: Signal[str] = Signal(self, "log-changed")
        # Before the stylesheet is first parsed, without the theme watcher: assigning `self.theme` schedules a
        # full re-parse and restyle of every widget (~4% of the first paint); the first parse reads this theme.
        self.register_theme(SUPATUI_THEME)
        self.set_reactive(SupatuiApp.theme, THEME_NAME)
        self.set_class(SUPATUI_THEME.dark, "-dark-mode", update=False)
        self.set_class(not SUPATUI_THEME.dark, "-light-mode", update=False)
        self.set_class(True, f"-theme-{THEME_NAME}", update=False)  # what the watcher would add
        self.stylesheet.set_variables(self.get_css_variables())  # App.__init__ set the default theme's

    def get_default_screen(self) -> WelcomeScreen:
        """The welcome is the first screen itself, the base of the stack: pushed over an empty default screen it
        cost a second parse and restyle of all the CSS before the first frame (~15% of it)."""
        welcome = WelcomeScreen(self.state, self.titles, self.state_changed, id="welcome")
        self.install_screen(welcome, "welcome")
        return welcome

    def on_mount(self) -> None:
        if self._transcript_factory is not None:
            self.call_after_refresh(self._make_transcript)
        if self.ctx.config.target is not None:  # resuming a project: its passwords may be in the keyring
            self.call_after_refresh(self.ensure_keyring)
        if self.sandbox:
            self.state.sandbox_status = "starting"
            self.start_sandbox()
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

    def publish(self, change: StateChange) -> None:
        self.state_changed.publish(change)

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
            self.install_screen(StepScreen(self.steps[step_id], self.ctx, self.state, self.titles,
                                           self.state_changed, self.log_changed, sandbox=self.sandbox), name)
        self.state.current = step_id
        if self.screen is self.get_screen("welcome"):  # step screens sit on the welcome, one replacing another
            self.push_screen(name)
        else:
            self.switch_screen(name)

    def action_welcome(self) -> None:
        """Back down to the welcome (Textual switches only between screens above the first one)."""
        self.state.current = None
        welcome = self.get_screen("welcome")
        while self.screen is not welcome:
            self.pop_screen()

    def _make_transcript(self) -> None:
        if self._transcript_factory is not None and self.transcript is None:
            self.transcript = self._transcript_factory()

    def action_transcript(self) -> None:
        from supatui.ui.screens.transcript import TranscriptScreen

        self.push_screen(TranscriptScreen(getattr(self.transcript, "path", None), self.state))

    @on(ShowTranscript)
    def _show_transcript(self) -> None:
        self.action_transcript()

    @on(ShowStep)
    def _show(self, message: ShowStep) -> None:
        if message.step_id is None:
            self.action_welcome()
            return
        self.show_step(message.step_id)
        if message.run:
            self.call_later(self.run_step, message.step_id)

    @on(RunStep)
    def _run_requested(self, message: RunStep) -> None:
        self.run_step(message.step_id)

    @on(CancelRun)
    def _cancel_requested(self) -> None:
        self.cancel_run()

    @on(KeyringNeeded)
    def ensure_keyring(self) -> None:
        """Read the keyring once (in a thread: a locked Secret Service can hang)."""
        if not self._keyring_started:
            self._keyring_started = True
            self._read_keyring(jobs.snapshot(self.ctx))

    @on(InputsEdited)
    def _inputs_edited(self, message: InputsEdited) -> None:
        """The form's draft becomes the wizard's inputs (the form keeps its own copy)."""
        draft = message.ctx  # a copy made for this message: adopting its objects shares nothing with the form
        self.ctx.config = draft.config
        for name in ("admin_password", "prisma_password"):
            self.ctx.secrets.draft(name, getattr(draft.secrets, name))
        self.state.project_dir = draft.config.project_dir
        self.state.package_manager = draft.config.package_manager

    # -- workers: each posts a typed result ---------------------------------------------------

    def load_steps(self) -> None:
        if not self.steps:
            self._load_steps()

    @work(thread=True, exclusive=True, group="steps", exit_on_error=False, description="Loading the steps")
    def _load_steps(self) -> None:
        from supatui.core.steps import all_steps

        self.post_message(StepsLoaded(all_steps()))

    @work(thread=True, group="keyring", exit_on_error=False, description="Reading the keyring")
    def _read_keyring(self, ctx: StepContext) -> None:
        self.post_message(jobs.load_secrets(ctx))

    @work(thread=True, exclusive=True, group="sandbox", exit_on_error=False, description="Starting the sandbox")
    def start_sandbox(self) -> None:
        try:
            self.post_message(SandboxReady(jobs.start_sandbox()))
        except Exception as exc:  # the sandbox's own errors are explained, not crashes
            self.post_message(SandboxFailed(as_user_error(exc)))

    def start_detect(self) -> None:
        if not self.steps or self.state.sandbox_status == "starting":
            return  # detect once both the steps and the sandbox are there
        for step in self.state.steps.values():
            if step.status is not Status.DONE:
                step.status = Status.CHECKING
        pending = [self.steps[i] for i in self.state.step_ids if self.state.steps[i].status is not Status.RUNNING]
        self._detect(pending, jobs.snapshot(self.ctx))

    @work(thread=True, exclusive=True, group="detect", exit_on_error=False, description="Checking which steps are done")
    def _detect(self, steps: list[AnyStep], ctx: StepContext) -> None:
        for detected in jobs.detect_all(steps, ctx):
            self.post_message(detected)

    @on(PreviewRequested)
    def _preview_requested(self, message: PreviewRequested) -> None:
        step = self.steps.get(message.step_id)
        if step is not None:
            self._preview(step, message.ctx)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False, description="Planning the step")
    def _preview(self, step: AnyStep, ctx: StepContext) -> None:
        self.post_message(jobs.preview(step, ctx))

    def run_step(self, step_id: str) -> None:
        if self.state.running is not None:
            self.notify("A step is already running; wait for it or press Esc.", severity="warning")
            return
        self.ctx.cancel = CancelToken()  # a fresh token per run: an old Esc must not stop this one
        self.ctx.secrets.commit()
        mine = self.state.steps[step_id]
        mine.status, mine.events, mine.checks, mine.error, mine.result = Status.RUNNING, [], [], None, None
        mine.run += 1
        self.publish(StateChange(step_id))
        self._run(step_id)

    @work(thread=True, group="run", exit_on_error=False, description="Running a step")
    def _run(self, step_id: str) -> None:
        """Thread: run through the shared Walkthrough; the outcome (done, failed, cancelled) is the message."""
        from supatui.core.walkthrough import Walkthrough

        def emit(event: Event) -> None:
            if self.transcript is not None:
                self.transcript(event)
            self.post_message(StepEvent(event))

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
        self.ctx.config.new_prisma_password = False  # "set a new password" was chosen for one run only
        warning = jobs.store_secrets(self.ctx) if outcome.ok else ""
        self.post_message(StepFinished(outcome, warning))

    def cancel_run(self) -> None:
        if self.state.running is not None:
            self.ctx.cancel.cancel()
            self.notify("Stopping the step and its command…", title="Cancel")

    # -- worker results (UI thread) ---------------------------------------------------------

    @on(StepsLoaded)
    def _steps_loaded(self, message: StepsLoaded) -> None:
        self.steps = {step.id: step for step in message.steps}
        self.titles.update({step.id: step.title for step in message.steps})
        self.publish(StateChange(titles=True))
        self.start_detect()
        if self._pending_step is not None:
            self.show_step(self._pending_step)

    @on(StepEvent)
    def _step_event(self, message: StepEvent) -> None:
        step = self.state.steps.get(message.event.step)
        if step is not None:
            step.events.append(message.event)
            self.log_changed.publish(message.event.step)

    @on(StepFinished)
    def _step_finished(self, message: StepFinished) -> None:
        outcome = message.outcome
        mine = self.state.steps[outcome.step]
        mine.checks, mine.result = list(outcome.checks), outcome.result
        if outcome.error is not None:
            self.show_error(outcome.error, step_id=outcome.step)
        elif mine.status is Status.RUNNING and mine.checks and all(check.ok for check in mine.checks):
            mine.status = Status.DONE
            self.notify(f"{self.titles[outcome.step]}: done, all checks passed.", title="✓ Step done")
        if message.keyring_warning:
            self.notify(message.keyring_warning, title="Keyring", severity="warning")
        self.publish(StateChange(outcome.step))

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        from supatui.ui.screens.step import StepScreen

        name = f"step-{message.step_id}"
        screen = self.get_screen(name) if self.is_screen_installed(name) else None
        if isinstance(screen, StepScreen):
            screen.show_preview(message)

    @on(Detected)
    def _detected(self, message: Detected) -> None:
        mine = self.state.steps[message.step_id]
        if mine.status in (Status.CHECKING, Status.PENDING, Status.DONE):
            mine.status = Status.DONE if message.done else Status.PENDING
        self.publish(StateChange(message.step_id))

    @on(SecretsLoaded)
    def _secrets_loaded(self, message: SecretsLoaded) -> None:
        self.state.keyring_usable, self.state.keyring_detail = message.usable, message.detail
        secrets = self.ctx.secrets
        if message.admin and not secrets.admin_password:
            secrets.admin_password = message.admin
        if message.prisma and not secrets.prisma_password:
            secrets.prisma_password = message.prisma
        self.publish(StateChange(inputs=True))

    @on(SandboxReady)
    def _sandbox_ready(self, message: SandboxReady) -> None:
        from supatui.core.session import sandbox_context

        info = message.info
        config = self.ctx.config  # the choices made so far stay (mode too: it reset to session here)
        fresh = sandbox_context(info, config.project_dir, package_manager=config.package_manager,
                                prisma_major=config.prisma_major, mode=config.mode, role=config.role,
                                sample_row=config.sample_row)
        self.ctx.config, self.ctx.secrets.admin_password = fresh.config, fresh.secrets.admin_password
        self.state.sandbox_status = "ready"
        target = info.target
        self.state.sandbox_detail = f"project {target.ref} on {target.pooler_host}:{target.session_port}"
        self.publish(StateChange(inputs=True))
        self.start_detect()

    @on(SandboxFailed)
    def _sandbox_failed(self, message: SandboxFailed) -> None:
        self.state.sandbox_status, self.state.sandbox_detail = "failed", message.error.message
        self.show_error(message.error, title="The sandbox did not start")
        self.publish(StateChange())

    # -- the error funnel -------------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """A worker that crashed (a bug, not a step failure: those arrive as StepFinished)."""
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self.show_error(as_user_error(worker.error))

    def show_error(self, error: SupatuiError, *, step_id: str | None = None, title: str = "") -> None:
        """Every failure the wizard shows goes through here (ui/failures.py)."""
        from supatui.ui.failures import show_error

        show_error(self, error, step_id=step_id, title=title)

    async def action_quit(self) -> None:
        self.ctx.cancel.cancel()  # stops a running child so nothing keeps writing after we leave
        self.exit(0)
