"""The plan can be read with keys alone at 80x24: Tab went from the form to the live log (scrolling the plan's top
out of view) and nothing the keys reached scrolled the step back up to it (the log's Up scrolls the log)."""

from __future__ import annotations

from textual.containers import VerticalScroll

from supatui.ui.widgets.plan_preview import PlanPreview
from tests.ui.conftest import SMALL, AppFactory
from tests.ui.helpers import settle, step_screen


async def test_tab_reaches_the_plan_and_the_keys_scroll_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.show_step("migrations")  # nothing to fill in: the plan is what there is to read
        await settle(pilot)
        screen = step_screen(app)
        plan, main = screen.query_one(PlanPreview), screen.query_one("#main", VerticalScroll)
        for _ in range(len(screen.focus_chain)):
            await pilot.press("tab")
            await pilot.pause()
            if app.focused is plan:
                break
        assert app.focused is plan, app.focused
        await pilot.pause()
        assert main.region.y <= plan.region.y < main.region.bottom, (plan.region, main.region)  # its top in view
        before = main.scroll_y
        await pilot.press("down", "down")
        await pilot.pause()
        assert main.scroll_y > before  # the step scrolls under it, the plan's next lines come into view
