"""A step's inputs, drawn from the fields the step declares (``Step.inputs``), each with its message.

The form owns its draft: a copy of the wizard's context that it edits as you type, announced
with :class:`StepForm.Changed` (carrying a fresh copy); the screen re-plans with it and the App
adopts it. Field ids are the fields' names, which are the keys ``Step.validate`` reports under.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioSet, Select, Static

from supatui.core.connstr import ConnectionTarget
from supatui.core.context import StepContext
from supatui.core.inputs import Field
from supatui.core.secrets import generate_password
from supatui.ui.state import snapshot
from supatui.ui.widgets.connection_form import ConnectionForm
from supatui.ui.widgets.secret_input import SecretInput

SECRETS = ("admin_password", "prisma_password")


class StepForm(Vertical):
    @dataclass
    class Changed(Message):
        """The draft changed; ``ctx`` is a copy of it that the receiver may keep."""

        ctx: StepContext

    def __init__(self, inputs: tuple[Field, ...], ctx: StepContext, *, sandbox: bool, keyring_usable: bool | None,
                 id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes="step-form")
        self.inputs = inputs
        self.draft = snapshot(ctx)
        self.sandbox = sandbox
        self.keyring_usable = keyring_usable
        self.names = {field.name for field in inputs}

    def compose(self) -> ComposeResult:
        if not self.inputs:
            yield Static("Nothing to fill in: this step uses what the earlier steps set up.", classes="field-note")
        drawn_connection = False
        for field in self.inputs:
            if field.group == "connection":
                if not drawn_connection:
                    drawn_connection = True
                    yield ConnectionForm(with_mode="mode" in self.names, locked=self.sandbox)
            elif field.kind == "secret":
                yield from self._password(field)
            elif field.kind == "path":
                yield Label(field.label, classes="field-label")
                yield Input(placeholder="./hello-prisma", id=field.name)
                yield Static("", id=f"{field.name}-msg", classes="field-msg")
            elif field.kind == "choice":
                yield Label(field.label, classes="field-label")
                yield Select(list(field.choices), allow_blank=False, value=field.choices[0][1], id=field.name)
                yield Static("", id=f"{field.name}-msg", classes="field-msg")
            else:
                yield Label(field.label, classes="field-label")
                yield Input(id=field.name)
                yield Static("", id=f"{field.name}-msg", classes="field-msg")
        if any(field.kind == "secret" for field in self.inputs):
            yield Static(self._keyring_note(), classes="field-note keyring-note")
        yield Static("", id="form-msg", classes="field-msg")

    def _password(self, field: Field) -> ComposeResult:
        config = self.draft.config
        yield Label(field.label.format(admin=config.admin_user, role=config.role), classes="field-label")
        with Horizontal(classes="password-row"):
            yield SecretInput(password=True, id=field.name, placeholder="hidden as you type", disabled=self.sandbox)
            if field.generate and not self.sandbox:
                yield Button("Generate", id=f"{field.name}-generate", classes="small")
        yield Static("", id=f"{field.name}-msg", classes="field-msg")

    def _keyring_note(self) -> str:
        if self.sandbox:
            return "Sandbox: passwords are generated for you and live only as long as the sandbox."
        if self.keyring_usable is False:
            return ("No usable OS keyring on this machine: the password is kept only while supatui runs, "
                    "so you will be asked for it each time.")
        return "Stored in your OS keyring (service `supatui`) once the step succeeds; shown nowhere, written only to .env."

    # -- context -> draft -> widgets ----------------------------------------------------------

    def load(self, ctx: StepContext, keyring_usable: bool | None) -> None:
        """Start a new draft from the wizard's context (e.g. after the sandbox or the keyring filled it)."""
        self.draft = snapshot(ctx)
        self.keyring_usable = keyring_usable
        config, secrets = self.draft.config, self.draft.secrets
        for note in self.query(".keyring-note").results(Static):
            note.update(self._keyring_note())
        with self.prevent(Input.Changed, RadioSet.Changed, Select.Changed):
            target = config.target
            self._set_input("ref", target.ref if target else "")
            self._set_input("pooler_host", target.pooler_host if target else "")
            self._set_input("admin_password", secrets.admin_password or "")
            self._set_input("prisma_password", secrets.prisma_password or "")
            self._set_input("project_dir", str(config.project_dir))
            for form in self.query(ConnectionForm):
                form.set_mode(config.mode)
            for select in self.query("#package_manager").results(Select):
                select.value = config.package_manager
            for select in self.query("#prisma_major").results(Select):
                select.value = str(config.prisma_major or "")

    def _set_input(self, field: str, value: str) -> None:
        for widget in self.query(f"#{field}").results(Input):
            widget.value = value

    def _value(self, field: str) -> str | None:
        for widget in self.query(f"#{field}").results(Input):
            return widget.value.strip()
        return None

    def apply(self) -> None:
        """Widgets -> the draft (only the form's own copy changes)."""
        config, secrets = self.draft.config, self.draft.secrets
        ref, host = self._value("ref"), self._value("pooler_host")
        if ref is not None and host is not None and not self.sandbox:
            if not ref and not host:
                config.target = None
            elif config.target is None:
                config.target = ConnectionTarget(ref=ref, pooler_host=host)
            else:
                config.target = dataclasses.replace(config.target, ref=ref, pooler_host=host)
        for form in self.query(ConnectionForm):
            if form.with_mode:
                config.mode = form.mode
        for field in SECRETS:
            value = self._value(field)
            if value is not None and not self.sandbox:
                secrets.draft(field, value or None)  # registered with the redactor once settled
        project_dir = self._value("project_dir")
        if project_dir:
            config.project_dir = Path(project_dir).expanduser()
        for select in self.query("#package_manager").results(Select):
            config.package_manager = str(select.value)
        for select in self.query("#prisma_major").results(Select):
            major = str(select.value)
            config.prisma_major = int(major) if major.isdigit() else None

    def show_errors(self, errors: dict[str, str]) -> None:
        """One message under each field; messages for fields not on this form go underneath."""
        shown = {msg.id.removesuffix("-msg") for msg in self.query(".field-msg") if msg.id and msg.id != "url-msg"}
        leftover: list[str] = []
        messages: dict[str, str] = {}
        for field, message in errors.items():
            if field in shown and field != "form":
                messages[field] = f"✗ {message}"
            else:
                leftover.append(f"✗ {message}")
        messages["form"] = "\n".join(leftover)
        for field in shown | {"form"}:
            widget = self.query_one(f"#{field}-msg", Static)
            widget.update(messages.get(field, ""))
            widget.display = bool(messages.get(field))

    # -- events ----------------------------------------------------------------------------

    @on(Input.Changed)
    @on(RadioSet.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self.apply()
        self.post_message(self.Changed(snapshot(self.draft)))

    @on(Input.Blurred)
    @on(Input.Submitted)
    def _settled(self) -> None:
        self.draft.secrets.commit()

    @on(ConnectionForm.UrlPasted)
    def _url_pasted(self, event: ConnectionForm.UrlPasted) -> None:
        parsed = event.parsed
        if parsed.password is None:
            return
        field = "admin_password" if parsed.role == self.draft.config.admin_user else "prisma_password"
        self._set_input(field, parsed.password)

    @on(Button.Pressed, "#prisma_password-generate")
    def _generate(self) -> None:
        self._set_input("prisma_password", generate_password())
