"""After Finish the welcome leads with the result (where the project is, how to run it), in view without scrolling:
it sat under the six steps, below the fold at 80x24 and 100x30, so a finished run ended on the intro text."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.ui.app import SupatuiApp
from supatui.ui.messages import StateChange
from supatui.ui.state import Status
from tests.ui.conftest import AppFactory
from tests.ui.fakes import IDS, fake_steps
from tests.ui.helpers import settle


async def _finish(pilot: Pilot[int], app: SupatuiApp) -> None:
    """All six done, then Finish on the last step, as a person ends the walkthrough."""
    await settle(pilot)
    for step_id in IDS:
        app.state.steps[step_id].status = Status.DONE
    app.show_step(IDS[-1])
    await settle(pilot)
    await pilot.press("ctrl+n")  # Finish
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_result_in_view_after_finish(make_app: AppFactory, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _finish(pilot, app)
        result = app.screen.query_one("#result", Static)
        scroll = app.screen.query_one("#welcome", VerticalScroll)
        assert result.display
        assert "Your project is ready in" in str(result.render())
        first_line = result.region.y + 1  # under its border
        assert scroll.region.y <= first_line < scroll.region.bottom, (result.region, scroll.region)
        assert scroll.scroll_y == 0  # in view as laid out, not by scrolling past the intro


@pytest.mark.parametrize(("pm", "command"), [("npm", "npx tsx index.ts"), ("pnpm", "pnpm exec tsx index.ts"),
                                             ("bun", "bun x tsx index.ts")])
async def test_result_runs_the_project_with_the_chosen_manager(project_dir: Path, pm: str, command: str) -> None:
    """A pnpm project was told `npx tsx index.ts`; the hint now uses the manager chosen in step 2."""
    ctx = StepContext(WalkthroughConfig(project_dir=project_dir, package_manager=pm))
    app = SupatuiApp(ctx, sandbox=False, steps=fake_steps())
    async with app.run_test(size=(100, 30)) as pilot:
        await _finish(pilot, app)
        text = str(app.screen.query_one("#result", Static).render())
        assert f"cd {project_dir} && {command}" in text.replace("\n", ""), text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_whole_result_in_view_with_the_sandbox_and_keyring_lines(make_app: AppFactory,
                                                                        size: tuple[int, int]) -> None:
    """A sandbox run on a machine without a keyring has three more lines above the result: at 80x24 only the
    result's top border was in view, the project folder and the command to run it under the fold."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _finish(pilot, app)
        app.state.sandbox_status, app.state.sandbox_detail = "ready", "project abcdefghijklmnopqrst on 127.0.0.1:55432"
        app.state.keyring_usable, app.state.keyring_detail = False, "no recommended backend is available"
        app.publish(StateChange())  # as the sandbox and the keyring reader announce theirs
        await settle(pilot)
        result = app.screen.query_one("#result", Static)
        scroll = app.screen.query_one("#welcome", VerticalScroll)
        assert scroll.scroll_y == 0
        assert scroll.region.y <= result.region.y and result.region.bottom <= scroll.region.bottom, (
            result.region, scroll.region)
        environment = str(app.screen.query_one("#environment", Static).render())
        assert "Sandbox: ready" in environment and "Keyring: ✗" in environment  # still said, above the result
