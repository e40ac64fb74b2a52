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
