"""Run feedback (issue 11 item 6): the live log's last line says how the run ended and how long it took,
Run pressed while the inputs are still being checked waits for them (once), the Run button is busy
while running, and ^d ("Do it myself") works from inside an Input."""

from __future__ import annotations

import re

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Footer, Input, Static
from textual.widgets._footer import FooterKey

from supatui.ui.app import SupatuiApp
from supatui.ui.screens import step as step_module
from supatui.ui.screens.failure import FailureScreen
from supatui.ui.screens.learn import DoItYourself
from supatui.ui.state import Status
from supatui.ui.widgets.live_log import LiveLog
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.helpers import ADMIN_PW, HOST, REF, paste_into, settle, step_screen, until


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


async def paste_role(pilot: Pilot[int]) -> None:
    """Valid role inputs, pasted: these tests are about Run and what typing redraws, not about typing them."""
    for selector, text in (("#ref", REF), ("#pooler_host", HOST), ("#admin_password", ADMIN_PW)):
        await paste_into(pilot, selector, text)
    await settle(pilot)


def slow_recheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """From the next key on, a typing pause long enough that the test sees the screen still checking when Run
    is pressed (set after the fill, which would otherwise wait out the same pause first)."""
    monkeypatch.setattr(step_module, "PREVIEW_DELAY", 5.0)


async def test_run_pressed_while_checking_runs_once_when_ready(make_app: AppFactory,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "role")
        await paste_role(pilot)
        slow_recheck(monkeypatch)
        screen = step_screen(app)
        assert screen.query_one("#admin_password", Input).has_focus
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


async def test_queued_run_does_not_start_when_the_inputs_turn_out_wrong(make_app: AppFactory,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "role")
        await paste_role(pilot)
        slow_recheck(monkeypatch)
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


async def test_typing_keeps_the_footer_and_the_status_line_until_they_change(make_app: AppFactory) -> None:
    """Each key re-checks the inputs; the footer and the status line are rebuilt only when what they show changes
    (every key rebuilt the footer's keys and re-laid the screen out: ~80 ms of CPU per key, typing lagged)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, app, "role")
        await paste_role(pilot)
        screen = step_screen(app)
        footer, status = screen.query_one(Footer), screen.query_one("#run-status", Static)
        field = screen.query_one("#pooler_host", Input)
        field.focus()
        await settle(pilot)
        keys, shown = list(footer.children), str(status.render())
        assert not run_key(footer).has_class("-disabled")
        updates: list[str] = []
        original = status.update
        status.update = lambda content="", **kw: (updates.append(str(content)), original(content, **kw))[1]  # type: ignore[method-assign]
        await pilot.press("end", *"abc")
        await settle(pilot)
        assert screen.errors == {} and list(footer.children) == keys  # Run stayed available: the same footer keys
        assert updates.count("Checking the inputs…") <= 1 and str(status.render()) == shown, updates
        await pilot.press("@")  # an invalid host: Run is no longer available, and the footer says so
        await settle(pilot)
        assert screen.errors and "pooler_host" in screen.errors
        assert run_key(footer).has_class("-disabled")


def run_key(footer: Footer) -> FooterKey:
    return next(key for key in footer.query(FooterKey) if key.action == "run_step")
