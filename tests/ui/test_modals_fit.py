"""At 80x24 each modal's key buttons are inside the screen, not clipped (issue 11, item 6)."""

from __future__ import annotations

from textual.widgets import Button

from supatui.core.errors import SupatuiError
from supatui.ui.screens.failure import FailureScreen
from tests.ui.conftest import AppFactory
from tests.ui.helpers import settle


def _inside(widget: Button) -> bool:
    """Laid out, inside the screen and inside its scrolling panel's visible part (not scrolled away)."""
    panel = widget.screen.query_one("#failure-panel").region
    return widget.region.area > 0 and widget.screen.region.contains_region(widget.region) \
        and panel.contains_region(widget.region)


async def test_failure_modal_buttons_visible_at_80x24(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(FailureScreen("Create the prisma role failed", SupatuiError("x " * 200, "Do y " * 40),
                                      step_id="role", can_retry=True))
        await settle(pilot)
        for name in ("#retry", "#close"):
            button = app.screen.query_one(name, Button)
            assert _inside(button), (name, button.region, app.screen.region)
