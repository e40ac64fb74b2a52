"""Run feedback (issue 11 item 6): the live log's last line says how the run ended and how long it took,
Run pressed while the inputs are still being checked waits for them (once), the Run button is busy
while running, and ^d ("Do it myself") works from inside an Input."""

from __future__ import annotations

import re

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input

from supatui.ui.app import SupatuiApp
from supatui.ui.screens import step as step_module
from supatui.ui.screens.failure import FailureScreen
from supatui.ui.screens.learn import DoItYourself
from supatui.ui.state import Status
from supatui.ui.widgets.live_log import LiveLog
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.helpers import fill_role, settle, step_screen, until


def last_line(app: object) -> str:
    log = step_screen(app).query_one(LiveLog)  # type: ignore[arg-type]
    return log.lines[-1].text.strip()


async def open_step(pilot: Pilot[int], app: SupatuiApp, step_id: str) -> None:
    await settle(pilot)
    app.show_step(step_id)
    await settle(pilot)


async def test_done_line_with_the_time(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "project")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.state.steps["project"].status is Status.DONE)
        await settle(pilot)
        assert re.fullmatch(r"✓ Create the Node project — done in \d+\.\d s", last_line(app)), last_line(app)


async def test_failed_line_with_the_time(make_app: AppFactory) -> None:
    app = make_app(project="fail")
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "project")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, FailureScreen))
        await pilot.press("escape")
        await settle(pilot)
        assert re.fullmatch(r"✗ Create the Node project — failed after \d+\.\d s", last_line(app)), last_line(app)


async def test_run_button_is_busy_while_running(make_app: AppFactory) -> None:
    app = make_app(project="slow")
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "project")
        run = step_screen(app).query_one("#run", Button)
        assert not run.disabled and str(run.label) == "Run (^r)"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: any(e.text == "working" for e in app.state.steps["project"].events))
        assert run.disabled and str(run.label) == "Running…"
        await pilot.press("escape")
        await until(pilot, lambda: app.state.running is None)
        await settle(pilot)
        assert not run.disabled and str(run.label) == "Run (^r)"
        assert last_line(app).startswith("✗ Create the Node project — cancelled after ")


@pytest.fixture
def slow_recheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """A typing pause long enough that the test sees the screen still checking when Run is pressed."""
    monkeypatch.setattr(step_module, "PREVIEW_DELAY", 5.0)


@pytest.mark.usefixtures("slow_recheck")
async def test_run_pressed_while_checking_runs_once_when_ready(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "role")
        await fill_role(pilot)
        screen = step_screen(app)
        assert screen.errors == {}
        await pilot.press("x")  # one more key in the admin password: re-validating and re-planning (debounced)
        await pilot.pause()
        assert not screen.settled and not screen.can_run
        await pilot.press("ctrl+r")
        await pilot.press("ctrl+r")  # pressed twice: still one run
        await pilot.click("#run")
        assert screen.run_queued and app.state.steps["role"].run == 0  # queued, not lost and not run yet
        await until(pilot, lambda: app.state.steps["role"].status is Status.DONE)
        await settle(pilot)
        assert app.state.steps["role"].run == 1  # ran exactly once
        assert not screen.run_queued
        assert app.ctx.secrets.admin_password and app.ctx.secrets.admin_password.endswith("x")  # with the new input


@pytest.mark.usefixtures("slow_recheck")
async def test_queued_run_does_not_start_when_the_inputs_turn_out_wrong(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "role")
        await fill_role(pilot)
        screen = step_screen(app)
        field = screen.query_one("#ref", Input)
        field.focus()
        await pilot.press("end", "backspace")  # a 19-letter ref: invalid, but not known yet
        await pilot.pause()
        await pilot.press("ctrl+r")
        assert screen.run_queued
        await settle(pilot)
        assert screen.errors and "ref" in screen.errors
        assert not screen.run_queued and app.state.steps["role"].run == 0


async def test_ctrl_d_opens_do_it_myself_from_inside_an_input(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "role")
        field = step_screen(app).query_one("#ref", Input)
        field.focus()
        await pilot.press(*"abc", "home")
        await pilot.press("ctrl+d")  # Input's own ctrl+d deletes the character right of the cursor
        await settle(pilot)
        assert isinstance(app.screen, DoItYourself)
        assert field.value == "abc"  # the key opened the panel and did not edit the field
