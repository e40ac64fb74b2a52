"""supatui's theme: high contrast so it reads on a projector; meaning never rides on colour alone."""

from __future__ import annotations

from textual.theme import Theme

THEME_NAME = "supatui"

# Supabase green on a near-black background; foreground close to white for projectors.
SUPATUI_THEME = Theme(
    name=THEME_NAME,
    primary="#3ECF8E",
    secondary="#7DD3FC",
    accent="#FBBF24",
    warning="#FBBF24",
    error="#F87171",
    success="#4ADE80",
    foreground="#F4F4F5",
    background="#111315",
    surface="#1C1F22",
    panel="#24292E",
    dark=True,
    variables={
        "footer-key-foreground": "#3ECF8E",
        "input-selection-background": "#3ECF8E 35%",
        "block-cursor-text-style": "bold",
    },
)
