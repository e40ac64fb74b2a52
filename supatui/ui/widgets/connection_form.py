"""Connection inputs as Supabase's Connect dialog shows them: ref, pooler host, mode; or paste a URL.

Pasting a whole connection string fills the fields (the URL field is masked, since it may
hold a password, and is cleared once read). The form builds no URL itself: the core does.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from supatui.core.connstr import MODE_HELP, MODES, Mode, ParsedUrl, UrlError, parse_url
from supatui.ui.widgets.secret_input import SecretInput

MODE_LABELS: dict[Mode, str] = {
    "session": "Session pooler (port 5432)",
    "transaction": "Transaction pooler (port 6543, serverless)",
    "direct": "Direct connection (IPv6 or IPv4 add-on)",
}


def mode_of(parsed: ParsedUrl) -> Mode:
    if parsed.host.startswith("db.") or (parsed.port == 5432 and "." not in parsed.user):
        return "direct"
    return "transaction" if parsed.port == 6543 else "session"


class ConnectionForm(Vertical):
    class UrlPasted(Message):
        """A pasted URL was read; carries the parsed URL so the step form can take the password."""

        def __init__(self, parsed: ParsedUrl) -> None:
            super().__init__()
            self.parsed = parsed

    def __init__(self, *, with_mode: bool, locked: bool, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes="connection-form")
        self.with_mode = with_mode
        self.locked = locked

    def compose(self) -> ComposeResult:
        if self.locked:
            yield Static("Sandbox: the connection is filled in for you (a local Supabase-like database).",
                         classes="field-note")
        else:
            yield Label("Paste a connection string (optional: it fills the fields below)", classes="field-label")
            yield SecretInput(placeholder="postgresql://postgres.<ref>:<password>@aws-1-….pooler.supabase.com:5432/postgres",
                              password=True, id="url")
            yield Static("", id="url-msg", classes="field-msg")
        yield Label("Project ref (20 letters, from the dashboard URL)", classes="field-label")
        yield Input(placeholder="abcdefghijklmnopqrst", id="ref", disabled=self.locked)
        yield Static("", id="ref-msg", classes="field-msg")
        yield Label("Pooler host (Connect dialog → Session pooler)", classes="field-label")
        yield Input(placeholder="aws-1-eu-west-1.pooler.supabase.com", id="pooler_host", disabled=self.locked)
        yield Static("", id="pooler_host-msg", classes="field-msg")
        if self.with_mode:
            yield Label("Connection mode for the app's DATABASE_URL", classes="field-label")
            with RadioSet(id="mode"):
                for mode in MODES:
                    yield RadioButton(MODE_LABELS[mode], id=f"mode-{mode}", value=mode == "session")
            yield Static(MODE_HELP["session"], id="mode-help", classes="field-note")
            yield Static("", id="mode-msg", classes="field-msg")

    def set_mode(self, mode: Mode) -> None:
        if self.with_mode:
            self.query_one(f"#mode-{mode}", RadioButton).value = True
            self.query_one("#mode-help", Static).update(MODE_HELP[mode])

    @property
    def mode(self) -> Mode:
        if not self.with_mode:
            return "session"
        pressed = self.query_one("#mode", RadioSet).pressed_button
        name = (pressed.id or "mode-session").removeprefix("mode-") if pressed else "session"
        return name if name in MODES else "session"  # type: ignore[return-value]

    @on(RadioSet.Changed, "#mode")
    def _mode_changed(self) -> None:
        self.query_one("#mode-help", Static).update(MODE_HELP[self.mode])

    @on(Input.Changed, "#url")
    def _url_pasted(self, event: Input.Changed) -> None:
        event.stop()
        message = self.query_one("#url-msg", Static)
        if not event.value.strip():
            return
        try:
            parsed = parse_url(event.value)
        except UrlError as exc:
            message.update(f"✗ {exc}")
            message.display = True
            return
        self.query_one("#ref", Input).value = parsed.ref
        self.query_one("#pooler_host", Input).value = "" if parsed.host.startswith("db.") else parsed.host
        self.set_mode(mode_of(parsed))
        event.input.value = ""
        note = "✓ Filled from the pasted connection string"
        message.update(note + (" (its password went to the password field)." if parsed.password else "."))
        message.display = True
        self.post_message(self.UrlPasted(parsed))
