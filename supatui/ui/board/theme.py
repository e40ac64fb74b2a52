"""The presenter theme: dark text on white, for projectors in lit rooms (notes workshop §2.4)."""

from __future__ import annotations

from textual.theme import Theme

PRESENTER_THEME = Theme(
    name="supatui-presenter",
    primary="#005F3B",
    secondary="#003D80",
    accent="#8A3B00",
    warning="#8A3B00",
    error="#B00020",
    success="#005F3B",
    foreground="#000000",
    background="#FFFFFF",
    surface="#F2F2F2",
    panel="#E0E0E0",
    dark=False,
)
