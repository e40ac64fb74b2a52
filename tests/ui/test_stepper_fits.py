"""The sidebar's rows stay one line in every status: "▶ running" wrapped onto a second row at 80 columns, and
"… checking" after "Migrations" or "Connection" even at 120 (a status word alone on its line, unlabelled)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from supatui.ui.state import Status
from supatui.ui.widgets.stepper import Stepper
from tests.ui.conftest import SMALL, AppFactory
from tests.ui.fakes import IDS
from tests.ui.helpers import settle, step_screen


@pytest.mark.parametrize("status", list(Status), ids=[s.name for s in Status])
@pytest.mark.parametrize("size", [SMALL, (120, 40)], ids=["80x24", "120x40"])
async def test_every_row_is_one_line(make_app: AppFactory, size: tuple[int, int], status: Status) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.show_step("project")
        await settle(pilot)
        for step_id in IDS:
            app.state.steps[step_id].status = status
        stepper = step_screen(app).query_one("#stepper", Stepper)
        stepper.update_from(app.state, "project")
        await pilot.pause()
        width = stepper.scrollable_content_region.width
        for index in range(stepper.option_count):
            prompt = str(stepper.get_option_at_index(index).prompt)
            assert cell_len(prompt) <= width, (prompt, width)
