"""The connection-string field: a pasted ``.env`` block or ``DATABASE_URL="…"`` line becomes its URL.

Textual's Input keeps only the first line of a multi-line paste; the Connect dialog's ORM tab offers a
block that starts with a comment line, so the field would get ``# Connect to Supabase via connection pooling``.
"""

from __future__ import annotations

from textual import events

from supatui.core.pastecheck import pasted_url
from supatui.ui.widgets.secret_input import SecretInput


class UrlInput(SecretInput):
    def on_paste(self, event: events.Paste) -> None:
        text = pasted_url(event.text)
        if text != event.text:
            event.prevent_default()  # the base Input would insert the first line only
            event.stop()
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
