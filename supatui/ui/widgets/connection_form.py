"""Connection inputs as Supabase's Connect dialog shows them: ref, pooler host, mode; or paste a URL.

Pasting a whole connection string fills the fields (the URL field is masked, since it may
hold a password, and is cleared once read). The form builds no URL itself: the core does.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from supatui.core.connstr import (
    MODE_HELP,
    MODES,
    ConnectionTarget,
    Mode,
    ParsedUrl,
    UrlError,
    parse_url,
    target_from_url,
)
from supatui.core.pastecheck import direct_host_note
from supatui.ui.widgets.url_input import UrlInput

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

        def __init__(self, parsed: ParsedUrl, target: ConnectionTarget | None = None) -> None:
            super().__init__()
            self.parsed = parsed
            self.target = target  # with the pasted ports, so the wizard connects where the string says

    def __init__(self, *, with_mode: bool, locked: bool, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes="connection-form")
        self.with_mode = with_mode
        self.locked = locked
        self._url_len = 0

    def compose(self) -> ComposeResult:
        if self.locked:
            yield Static("Sandbox: the connection is filled in for you (a local Supabase-like database).",
                         classes="field-note")
        else:
            yield Label("Paste a connection string (optional: it fills the fields below)", classes="field-label")
            yield UrlInput(placeholder="postgresql://postgres.<ref>:<password>@aws-1-….pooler.supabase.com:5432/postgres",
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
    def _url_changed(self, event: Input.Changed) -> None:
        """A paste arrives as one change; typing arrives a character at a time and waits for Enter."""
        event.stop()
        grew = len(event.value) - self._url_len
        self._url_len = len(event.value)
        if not event.value.strip():
            return
        if grew > 1:
            self._read_url(event.input, event.value)
        else:
            message = self.query_one("#url-msg", Static)
            message.update("Press Enter when the whole string is in.")
            message.display = True

    @on(Input.Submitted, "#url")
    def _url_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self._read_url(event.input, event.value)

    def _read_url(self, field: Input, value: str) -> None:
        message = self.query_one("#url-msg", Static)
        try:
            parsed = parse_url(value)
        except UrlError as exc:
            message.update(Text(f"✗ {exc}"))  # "[PROJECT-REF]" is text, not markup
            message.display = True
            return
        try:
            target: ConnectionTarget | None = target_from_url(value)[0]
        except UrlError:
            target = None
        self.query_one("#ref", Input).value = parsed.ref
        self.query_one("#pooler_host", Input).value = "" if parsed.host.startswith("db.") else parsed.host
        self.set_mode(mode_of(parsed))
        self._url_len = 0
        field.value = ""
        note = "✓ Filled from the pasted connection string"
        if parsed.password_placeholder:
            note += f"; its password is the placeholder {parsed.password_placeholder}: type the database password below."
        else:
            note += " (its password went to the password field)." if parsed.password else "."
        if (direct := direct_host_note(parsed.host, parsed.port)) is not None:
            note += " " + direct
        message.update(Text(note))
        message.display = True
        self.post_message(self.UrlPasted(parsed, target))
