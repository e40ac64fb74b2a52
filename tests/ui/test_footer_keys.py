"""The footer names what its keys do on this screen: on the last step the button says "Finish (^n)" and ^n
finishes, but the footer said "^n Next"."""

from __future__ import annotations

from supatui.ui.screens.welcome import WelcomeScreen
from tests.ui.conftest import SMALL, AppFactory
from tests.ui.fakes import IDS
from tests.ui.helpers import settle


def _footer_keys(app: object) -> dict[str, str]:
    bindings = app.screen.active_bindings  # type: ignore[attr-defined]
    return {key: active.binding.description for key, active in bindings.items()
            if active.binding.show and active.enabled}


async def test_last_step_footer_says_finish(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.show_step(IDS[0])
        await settle(pilot)
        assert _footer_keys(app)["ctrl+n"] == "Next"
        app.show_step(IDS[-1])
        await settle(pilot)
        assert _footer_keys(app)["ctrl+n"] == "Finish"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)  # and the key does what it says
