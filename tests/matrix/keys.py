"""Typing into the wizard as a terminal delivers it: one Key event per character, through the App's driver."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.keys import KEY_NAME_REPLACEMENTS, _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input


async def type_keys(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Type into a field one key event per character, exactly as Textual's terminal parser makes them.

    (``Pilot.press`` drops characters it has no key name for, such as ``✓``; a terminal does not.) The keys
    arrive back to back, as from a fast typist, and the App handles each in turn before the pause returns:
    ``Pilot.press`` waits for the process to idle twice per key (~0.1 s a key, the bulk of a long field).
    """
    app = pilot.app
    widget = app.screen.query_one(selector, Input)
    widget.focus()
    widget.value = ""
    await pilot.pause()
    assert app._driver is not None
    for char in text:
        name = char if char.isalnum() else _character_to_key(char)
        key = events.Key(KEY_NAME_REPLACEMENTS.get(name, name), char)
        key.set_sender(app)
        app._driver.send_message(key)
    await pilot.pause()
    assert widget.value == text, f"typed {text!r} but the field holds {widget.value!r}"
