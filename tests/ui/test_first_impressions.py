"""Issue 11 item 6, first impressions: whole labels, the welcome at its top, Tab to the first input,
the real step titles in a fresh folder (each test fails without its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Button, Input, Label

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.steps import STEP_IDS, get_step
from supatui.ui.app import SupatuiApp
from supatui.ui.messages import StateChange
from supatui.ui.state import Status
from supatui.ui.widgets.stepper import Stepper
from tests.ui.conftest import SMALL, AppFactory
from tests.ui.helpers import settle, step_screen

LARGE = (120, 40)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_continue_label_is_whole_after_the_titles_change(make_app: AppFactory, size: tuple[int, int]) -> None:
    """The titles arrive after the first layout (steps load in a worker): the button must grow with its label."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.titles["role"] = "Create the prisma role, a longer title"
        app.publish(StateChange(titles=True))
        await settle(pilot)
        button = app.screen.query_one("#resume", Button)
        label = str(button.label)
        assert label == "Continue: step 1, Create the prisma role, a longer title"
        assert button.content_size.width >= len(label), (button.content_size, label)


async def test_welcome_opens_at_its_top(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#welcome", VerticalScroll).scroll_y == 0
        assert isinstance(app.focused, Button) and app.focused.id == "resume"  # Enter still continues


@pytest.mark.parametrize("step_id", ["role", "project", "connection"])
async def test_field_labels_are_not_cut_at_80x24(make_app: AppFactory, step_id: str) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.show_step(step_id)
        await settle(pilot)
        main = app.screen.query_one("#main", VerticalScroll)
        labels = list(app.screen.query(".field-label").results(Label))
        assert labels
        for label in labels:
            assert label.region.right <= main.content_region.right, (str(label.render()), label.region)
            assert label.size.width * label.size.height >= len(str(label.render()).strip())


async def test_first_tab_goes_to_the_first_input(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        step_screen(app)
        await pilot.press("tab")
        await settle(pilot)
        focused = app.focused
        assert isinstance(focused, Input) and focused.id == "url", focused
        await pilot.press("x")
        assert focused.value == "x"  # typing goes in, not swallowed


async def test_real_titles_in_a_fresh_folder_without_sandbox(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    folder.mkdir()
    app = SupatuiApp(StepContext(WalkthroughConfig(project_dir=folder)), sandbox=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        stepper = app.screen.query_one(Stepper)
        prompts = [str(stepper.get_option_at_index(i).prompt) for i in range(stepper.option_count)]
        assert not any("loading" in prompt for prompt in prompts), prompts
        assert "Create the prisma role" in prompts[0]
        assert "Create the prisma role" in str(app.screen.query_one("#resume", Button).label)


def test_titles_match_the_steps() -> None:
    from supatui.core.steps import TITLES

    assert {step_id: get_step(step_id).title for step_id in STEP_IDS} == TITLES


async def test_a_fresh_folder_offers_one_way_in(make_app: AppFactory) -> None:
    """"Continue: step 1, …" beside "Start at step 1": two buttons (and two Tab stops) for the same thing. "Start at
    step 1" is offered once there is something to start over from."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        start = app.screen.query_one("#start", Button)
        assert not start.display
        app.state.steps[STEP_IDS[0]].status = Status.DONE
        app.publish(StateChange())
        await settle(pilot)
        assert start.display and "step 2" in str(app.screen.query_one("#resume", Button).label)
