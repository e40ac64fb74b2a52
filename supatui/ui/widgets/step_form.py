"""A step's inputs: one field per setting, each with its own validation message.

The form writes what is typed into the App's ``StepContext`` (config and secrets) and says
so with :class:`StepForm.Changed`; the screen then asks the step to validate and re-plan.
Field ids are the names ``Step.validate`` uses for its messages.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioSet, Select, Static

from supatui.core.connstr import ConnectionTarget
from supatui.core.context import PACKAGE_MANAGERS, StepContext
from supatui.core.secrets import generate_password
from supatui.ui.access import wizard
from supatui.ui.widgets.connection_form import ConnectionForm
from supatui.ui.widgets.secret_input import SecretInput

FIELDS: dict[str, tuple[str, ...]] = {
    "role": ("connection", "admin_password", "prisma_password"),
    "project": ("project_dir", "package_manager", "prisma_major"),
    "connection": ("connection+mode", "prisma_password"),
}
ALIASES = {"target": "ref", "host": "pooler_host", "password": "admin_password", "dir": "project_dir"}
PRISMA_VERSIONS = [("Latest Prisma (7)", 0), ("Prisma 6 (as in the guide)", 6)]


class StepForm(Vertical):
    class Changed(Message):
        """The inputs changed (already written to the context)."""

    def __init__(self, step_id: str, ctx: StepContext, *, sandbox: bool, keyring_usable: bool | None,
                 id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes="step-form")
        self.step_id = step_id
        self.ctx = ctx
        self.sandbox = sandbox
        self.keyring_usable = keyring_usable
        self.fields = FIELDS.get(step_id, ())

    def compose(self) -> ComposeResult:
        if not self.fields:
            yield Static("Nothing to fill in: this step uses what the earlier steps set up.", classes="field-note")
        for name in self.fields:
            if name.startswith("connection"):
                yield ConnectionForm(with_mode=name.endswith("+mode"), locked=self.sandbox)
            elif name == "admin_password":
                yield from self._password("admin_password", f"Password of the `{self.ctx.config.admin_user}` role "
                                          "(Database settings → Reset password if you lost it)", generate=False)
            elif name == "prisma_password":
                label = f"Password for the new `{self.ctx.config.role}` role (empty: one is generated)"
                yield from self._password("prisma_password", label, generate=True)
            elif name == "project_dir":
                yield Label("Project folder (created if missing)", classes="field-label")
                yield Input(placeholder="./hello-prisma", id="project_dir")
                yield Static("", id="project_dir-msg", classes="field-msg")
            elif name == "package_manager":
                yield Label("Package manager", classes="field-label")
                yield Select([(pm, pm) for pm in PACKAGE_MANAGERS], allow_blank=False, value="npm", id="package_manager")
                yield Static("", id="package_manager-msg", classes="field-msg")
            elif name == "prisma_major":
                yield Label("Prisma version", classes="field-label")
                yield Select(PRISMA_VERSIONS, allow_blank=False, value=0, id="prisma_major")
                yield Static("", id="prisma_major-msg", classes="field-msg")
        if any(name.endswith("password") for name in self.fields):
            yield Static(self._keyring_note(), classes="field-note keyring-note")
        yield Static("", id="form-msg", classes="field-msg")

    def _password(self, field: str, label: str, *, generate: bool) -> ComposeResult:
        yield Label(label, classes="field-label")
        with Horizontal(classes="password-row"):
            yield SecretInput(password=True, id=field, placeholder="hidden as you type", disabled=self.sandbox)
            if generate and not self.sandbox:
                yield Button("Generate", id=f"{field}-generate", classes="small")
        yield Static("", id=f"{field}-msg", classes="field-msg")

    def _keyring_note(self) -> str:
        if self.sandbox:
            return "Sandbox: passwords are generated for you and live only as long as the sandbox."
        if self.keyring_usable is False:
            return ("No usable OS keyring on this machine: the password is kept only while supatui runs, "
                    "so you will be asked for it each time.")
        return "Stored in your OS keyring (service `supatui`) once the step succeeds; shown nowhere, written only to .env."

    # -- context <-> widgets ---------------------------------------------------------------

    def load(self) -> None:
        """Show the context's current values (e.g. after the sandbox or the keyring filled them)."""
        config, secrets = self.ctx.config, self.ctx.secrets
        self.keyring_usable = wizard(self).state.keyring_usable
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
                select.value = config.prisma_major or 0

    def _set_input(self, field: str, value: str) -> None:
        for widget in self.query(f"#{field}").results(Input):
            widget.value = value

    def _value(self, field: str) -> str | None:
        for widget in self.query(f"#{field}").results(Input):
            return widget.value.strip()
        return None

    def apply(self) -> None:
        config, secrets = self.ctx.config, self.ctx.secrets
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
        for field in ("admin_password", "prisma_password"):
            value = self._value(field)
            if value is not None and not self.sandbox:
                secrets.draft(field, value or None)  # registered with the redactor once settled
        project_dir = self._value("project_dir")
        if project_dir:
            config.project_dir = Path(project_dir).expanduser()
        for select in self.query("#package_manager").results(Select):
            config.package_manager = str(select.value)
        for select in self.query("#prisma_major").results(Select):
            major = select.value
            config.prisma_major = major if isinstance(major, int) and major else None

    def show_errors(self, errors: dict[str, str]) -> None:
        """One message under each field; messages for fields not on this form go underneath."""
        shown = {msg.id.removesuffix("-msg") for msg in self.query(".field-msg") if msg.id and msg.id != "url-msg"}
        leftover: list[str] = []
        messages: dict[str, str] = {}
        for key, message in errors.items():
            field = ALIASES.get(key, key)
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
        self.post_message(self.Changed())

    @on(Input.Blurred)
    @on(Input.Submitted)
    def _settled(self) -> None:
        self.ctx.secrets.commit()

    @on(ConnectionForm.UrlPasted)
    def _url_pasted(self, event: ConnectionForm.UrlPasted) -> None:
        parsed = event.parsed
        if parsed.password is None:
            return
        field = "admin_password" if parsed.role == self.ctx.config.admin_user else "prisma_password"
        self._set_input(field, parsed.password)

    @on(Button.Pressed, "#prisma_password-generate")
    def _generate(self) -> None:
        self._set_input("prisma_password", generate_password())
