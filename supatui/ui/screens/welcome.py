"""The welcome screen: what the guide does, the six steps with their status, and where to resume."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Footer, Header, OptionList, Static

from supatui.ui.messages import ShowStep, StateChange
from supatui.ui.screens.base import WizardScreen
from supatui.ui.state import Status, WizardState
from supatui.ui.widgets.button_row import ButtonRow
from supatui.ui.widgets.stepper import Stepper

INTRO = (
    "This guide connects a Prisma project to a Supabase Postgres database, following Supabase's "
    "“Connecting with Prisma”: a dedicated `prisma` role, a Node project, the Supavisor connection "
    "string in .env, a first migration, the generated client and a test script that reads rows back.\n"
    "Each step shows its plan before it runs, every SQL statement and command while it runs, and "
    "checks the result against the database and the disk afterwards."
)


class WelcomeScreen(WizardScreen):
    # Enter continues before the buttons are there too (typed ahead while the wizard starts; see _mount_buttons).
    BINDINGS = [Binding("ctrl+n", "resume", "Continue"), Binding("enter", "resume", show=False)]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="welcome"):
            # Shown once all six are done, first, so a finished run ends on where the project is and how to run it,
            # in view without scrolling: under the steps it was below the fold at 100x30, and under the intro and a
            # sandbox's and keyring's lines only its top border was in view at 80x24.
            yield Static("", id="result")
            yield Static(INTRO, id="intro")
            yield Static("", id="environment")
            yield Stepper(self.titles, id="welcome-steps")
        # Under the scrolling text, not in it: how to go on is never below the fold (issue 11 item 6). Its buttons
        # are mounted just after the first frame (see _mount_buttons).
        yield ButtonRow(id="welcome-actions")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.state_changed.subscribe(self, self.refresh_state)
        self.refresh_state()
        self.call_after_refresh(self._mount_buttons)

    async def _mount_buttons(self) -> None:
        """After the first frame: Button's CSS is the largest the welcome would parse (~4% of the first paint,
        `benchmarks/startup.py --instructions`); the row waits empty for that one frame, Enter already works."""
        resume = Button(self._resume_label(self.state), id="resume", variant="primary")
        start = Button("Start at step 1", id="start")
        start.display = self._offer_start(self.state)
        row = self.query_one(ButtonRow)
        await row.mount_all([resume, start])
        row.reflow()
        # Focusing would scroll the button into view: the welcome opens at its top (issue 11 item 6).
        resume.focus(scroll_visible=False)

    def on_screen_resume(self) -> None:
        self.refresh_state()

    def refresh_state(self, _change: StateChange | None = None) -> None:
        state = self.state
        stepper = self.query_one(Stepper)
        stepper.titles = self.titles
        stepper.update_from(state, None)
        all_done = all(s.status is Status.DONE for s in state.steps.values())
        label = self._resume_label(state)
        for button in self.query("#resume").results(Button):  # none before _mount_buttons
            if str(button.label) != label:
                button.label = label
                button.refresh(layout=True)  # Button.label does not re-measure its width: a longer one was cut
                self.query_one(ButtonRow).reflow()
        for button in self.query("#start").results(Button):
            if button.display != self._offer_start(state):
                button.display = self._offer_start(state)
                self.query_one(ButtonRow).reflow()
        environment = self._environment(state)
        self.query_one("#environment", Static).update(environment)
        self.query_one("#environment", Static).display = bool(environment.plain)  # no blank lines for nothing
        result = self.query_one("#result", Static)
        result.display = all_done
        if all_done:
            result.border_title = "Result"
            result.update(self._result(state))

    @staticmethod
    def _offer_start(state: WizardState) -> bool:
        """"Start at step 1" only when Continue goes elsewhere: beside "Continue: step 1" it was a second button (and
        Tab stop) for the same thing."""
        return state.resume_step() != state.step_ids[0]

    def _resume_label(self, state: WizardState) -> str:
        if all(s.status is Status.DONE for s in state.steps.values()):
            return "All six steps are done: review them"
        resume = state.resume_step()
        return f"Continue: step {state.step_ids.index(resume) + 1}, {self.titles[resume]}"

    def _result(self, state: WizardState) -> Text:
        """The rows the test script printed, and how to run the project without supatui."""
        from supatui.core.packagemanager import by_hand  # after the first frame: only a finished project needs it

        folder = state.project_dir
        text = Text()
        result = state.steps["test"].result
        lines = list(result.rows.lines) if result is not None and result.rows is not None else []
        if lines:
            text.append("The test script printed:\n", style="bold")
            text.append("\n".join(lines) + "\n\n")
        text.append("Your project is ready in ", style="bold")
        text.append(f"{folder}\n")
        text.append("Run it on its own: ", style="bold")
        text.append(f"cd {folder} && {by_hand(state.package_manager, 'tsx', 'index.ts')}")
        return text

    def _environment(self, state: WizardState) -> Text:
        text = Text()
        sandbox_status, detail = state.sandbox_status, state.sandbox_detail
        if sandbox_status == "starting":
            text.append("Sandbox: starting a local Supabase-like database… (nothing to type)\n", style="bold")
        elif sandbox_status == "ready":
            text.append(f"Sandbox: ready — {detail}\n", style="bold")
        elif sandbox_status == "failed":
            text.append(f"Sandbox: ✗ failed to start — {detail}\n", style="bold underline")
        usable = state.keyring_usable
        if usable is False:
            admin = ("the sandbox keeps its own in private files" if sandbox_status else
                     "the postgres password is asked for each time (or read from SUPATUI_DB_PASSWORD)")
            text.append(f"Keyring: ✗ none usable here ({state.keyring_detail}) — the prisma password is kept in the "
                        f"project's .env (0600, gitignored); {admin}.")
        elif usable:
            text.append("Keyring: ✓ passwords are kept in your OS keyring.")
        text.rstrip()  # no blank line under the sandbox's when the keyring is not known yet
        return text

    @on(Button.Pressed, "#resume")
    def action_resume(self) -> None:
        self.post_message(ShowStep(self.state.resume_step()))

    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        self.post_message(ShowStep(self.state.step_ids[0]))

    @on(OptionList.OptionSelected)
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(ShowStep(event.option.id))
