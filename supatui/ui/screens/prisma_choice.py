"""Step 1 found the ``prisma`` role with a password nobody here knows: two ways on, never a silent change.

Issue 10 defect 1: (a) type the existing password, checked with ONE login when "Check and use it"
is pressed (core/conntest.py; never while typing: the pooler bans repeated failed logins), or
(b) "Set a new password", with the plain warning that everything using the old one stops working;
that sets ``config.new_prisma_password`` for the next run only (the App resets it after the run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from supatui.core.context import StepContext
from supatui.core.errors import SupatuiError
from supatui.ui.messages import LoginTested
from supatui.ui.state import snapshot
from supatui.ui.widgets.button_row import ButtonRow
from supatui.ui.widgets.secret_input import SecretInput

CODE = "prisma-password-unknown"  # the role step's StepFailed code for this case (core/steps/role.py)


@dataclass(frozen=True)
class PrismaChoice:
    kind: Literal["existing", "new"]
    password: str | None = field(default=None, repr=False)


def apply_choice(ctx: StepContext, choice: PrismaChoice | None) -> bool:
    """Put the choice into the wizard's inputs; True when step 1 should run again."""
    if choice is None:
        return False
    if choice.kind == "existing":
        ctx.secrets.prisma_password = choice.password  # checked with one login; the run keeps it
        ctx.config.new_prisma_password = False
    else:
        ctx.config.new_prisma_password = True  # for that run only
    return True


class PrismaPasswordScreen(ModalScreen[PrismaChoice | None]):
    """Dismissed with the person's choice, or None (Esc: nothing changes)."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "prisma_choice.tcss"
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, ctx: StepContext, error: SupatuiError) -> None:
        super().__init__(id="prisma-choice")
        self.ctx = snapshot(ctx)  # a copy for the check's worker
        self.error = error
        self.checking = False

    def compose(self) -> ComposeResult:
        role = self.ctx.config.role
        with VerticalScroll(id="prisma-choice-panel") as panel:
            panel.border_title = f"Role {role} already exists"
            yield Static(Text(f"{self.error.message}\n\nChoose how to go on:"), id="prisma-choice-why")
            yield Label(f"(a) Type the existing {role} password; it is checked with one login when you press "
                        "the button, and kept unchanged.", classes="field-label")
            with Horizontal(classes="password-row"):
                yield SecretInput(password=True, id="existing-password", placeholder="hidden as you type")
                yield Button("Check and use it", id="check-existing", variant="primary", classes="small")
            yield Static("", id="check-msg", classes="field-msg")
            yield Static(Text(f"(b) Set a NEW password for {role}. Everything that uses the old one stops working "
                              "until it gets the new one: deployments, and other projects' .env files."),
                         id="new-warning")
            with ButtonRow(id="prisma-choice-actions"):
                yield Button("Set a new password", id="set-new", variant="warning")
                yield Button("Cancel (esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#existing-password", SecretInput).focus()

    def _say(self, text: str) -> None:
        message = self.query_one("#check-msg", Static)
        message.update(text)
        message.display = bool(text)

    @on(SecretInput.Submitted, "#existing-password")
    @on(Button.Pressed, "#check-existing")
    def action_check(self) -> None:
        if self.checking:
            return  # one login per press, and never two at once
        password = self.query_one("#existing-password", SecretInput).value
        if not password:
            self._say(f"✗ Type the existing {self.ctx.config.role} password first.")
            return
        self.checking = True
        self.query_one("#check-existing", Button).disabled = True
        self._say("Checking with one login…")
        self.ctx.secrets.prisma_password = password  # settled: registered with the redactor before the login
        self._check(self.ctx)

    @work(thread=True, exclusive=True, group="prisma-check", exit_on_error=False, description="Checking the password")
    def _check(self, ctx: StepContext) -> None:
        from supatui.core.conntest import check_role_password

        password = ctx.secrets.prisma_password or ""
        self.post_message(LoginTested("role", check_role_password(ctx, password)))

    @on(LoginTested)
    def _checked(self, message: LoginTested) -> None:
        message.stop()
        self.checking = False
        self.query_one("#check-existing", Button).disabled = False
        if message.result.ok:
            self.dismiss(PrismaChoice("existing", self.ctx.secrets.prisma_password))
        else:
            self._say(f"✗ {message.result.message}")

    @on(Button.Pressed, "#set-new")
    def _set_new(self) -> None:
        self.dismiss(PrismaChoice("new"))

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
