"""Typed access from any widget or screen to the one App that owns the state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from supatui.ui.app import SupatuiApp


def wizard(node: DOMNode) -> SupatuiApp:
    from supatui.ui.app import SupatuiApp

    app = node.app
    assert isinstance(app, SupatuiApp)
    return app
