"""Issue 11 item 6: every scene of the wizard fits at 80x24, 100x30 and 120x40.

For each scene: every action button is on screen and not covered or scrolled away (the cell at
each end of its label row is the button itself), every other button is reachable by scrolling
and then likewise whole, no label is narrower than its text, and nothing shows a horizontal
scrollbar. Driven with keys on the real App over the fake steps (tests/ui/fakes.py).
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Button

from supatui.core.errors import StepFailed
from supatui.ui.app import SupatuiApp
from supatui.ui.screens.failure import FailureScreen
from supatui.ui.screens.learn import DoItYourself
from supatui.ui.screens.prisma_choice import PrismaPasswordScreen
from supatui.ui.screens.transcript import TranscriptScreen
from supatui.ui.state import Status
from supatui.ui.widgets.button_row import ButtonRow, columns_that_fit
from tests.ui.conftest import AppFactory
from tests.ui.fakes import IDS
from tests.ui.helpers import ADMIN_PW, HOST, REF, settle, step_screen, until

SIZES = [(80, 24), (100, 30), (120, 40)]
SIZE_IDS = [f"{w}x{h}" for w, h in SIZES]


def _whole_on_screen(button: Button) -> str | None:
    """Why the button is not fully visible, or None when it is."""
    screen = button.screen
    region = button.region
    if region.area == 0:
        return "not laid out (zero size)"
    if not screen.region.contains_region(region):
        return f"outside the screen {screen.region}"
    label_row = region.y + region.height // 2
    for x in (region.x, region.right - 1):
        widget, _ = screen.get_widget_at(x, label_row)
        if widget is not button:
            return f"covered at ({x}, {label_row}) by {widget!r}"
    return None


def _label_fits(button: Button) -> str | None:
    label = button.label.plain if hasattr(button.label, "plain") else str(button.label)
    need = max((cell_len(line) for line in label.splitlines()), default=0)
    if button.content_size.width < need:
        return f"label {label!r} needs {need} cells, has {button.content_size.width}"
    return None


async def assert_fits(pilot: Pilot[int], scene: str) -> None:
    app = pilot.app
    screen = app.screen
    problems: list[str] = []
    for widget in screen.query("*"):
        if widget.display and widget.show_horizontal_scrollbar and widget.styles.scrollbar_size_horizontal:
            problems.append(f"horizontal scrollbar on {widget!r}")
    buttons = [b for b in screen.query(Button) if b.display and all(a.display for a in b.ancestors_with_self
                                                                      if hasattr(a, "display"))]
    assert buttons, f"{scene}: no buttons at all"
    for button in buttons:
        action = isinstance(button.parent, ButtonRow) or button.id == "close"
        if not action:  # a form's button (Generate, Check and use it): reachable by scrolling
            button.scroll_visible(animate=False, immediate=True)
            await pilot.pause()
        for why in (_whole_on_screen(button), _label_fits(button)):
            if why is not None:
                problems.append(f"#{button.id} ({'action' if action else 'form'}): {why}")
    assert not problems, f"{scene} at {app.size}: " + "; ".join(problems)


async def _open_step(pilot: Pilot[int], app: SupatuiApp, step_id: str) -> None:
    app.show_step(step_id)
    await settle(pilot)
    if step_id in ("role", "connection"):  # fill what validation asks for, so the plan is shown
        screen = step_screen(app)
        form = screen.query_one("#form")
        for selector, value in (("#ref", REF), ("#pooler_host", HOST), ("#admin_password", ADMIN_PW)):
            if form.query(selector):
                form.query_one(selector).value = value  # type: ignore[attr-defined]
        await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_welcome_fits(make_app: AppFactory, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await assert_fits(pilot, "welcome")
        for step_id in IDS:  # all done: the result box and "review them" are shown too
            app.state.steps[step_id].status = Status.DONE
        app.screen.refresh_state()  # type: ignore[attr-defined]  # (already on the welcome: no resume to redraw it)
        await settle(pilot)
        assert app.screen.query_one("#result").display
        await assert_fits(pilot, "welcome, all done")


@pytest.mark.parametrize("step_id", IDS)
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_step_screen_fits_in_every_state(make_app: AppFactory, size: tuple[int, int], step_id: str) -> None:
    """Plan shown, done, running (a real child process), failed (the failure panel, then the step)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await _open_step(pilot, app, step_id)
        screen = step_screen(app)
        assert screen.errors == {}, screen.errors
        await assert_fits(pilot, f"{step_id}: plan shown")

        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.state.steps[step_id].status is Status.DONE)
        await settle(pilot)
        await assert_fits(pilot, f"{step_id}: done")

        step = app.steps[step_id]
        step.behaviour = "slow"  # type: ignore[attr-defined]
        await pilot.press("ctrl+r")
        await until(pilot, lambda: any(e.text == "working" for e in app.state.steps[step_id].events))
        await pilot.pause()  # the layout after the Cancel button appeared
        assert screen.query_one("#cancel", Button).display
        await assert_fits(pilot, f"{step_id}: running")
        await pilot.press("escape")
        await until(pilot, lambda: app.state.running is None)
        await settle(pilot)

        step.behaviour = "fail"  # type: ignore[attr-defined]
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, FailureScreen))
        await settle(pilot)
        await assert_fits(pilot, f"{step_id}: failure panel")
        await pilot.press("escape")
        await settle(pilot)
        assert app.state.steps[step_id].status is Status.FAILED
        await assert_fits(pilot, f"{step_id}: failed")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_modals_fit(make_app: AppFactory, size: tuple[int, int]) -> None:
    """The learn panel (^d), the prisma choice, the transcript and a long failure."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await _open_step(pilot, app, "role")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.state.steps["role"].status is Status.DONE)
        await settle(pilot)

        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, DoItYourself)
        await assert_fits(pilot, "learn panel")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        await assert_fits(pilot, "transcript")
        await pilot.press("escape")
        await settle(pilot)

        error = StepFailed("role", "Role prisma already exists and its password is not known here; supatui will "
                           "not change it, because every app and deployment using it would stop working.",
                           "Give its password (headless: SUPATUI_PRISMA_PASSWORD), or choose to set a new one "
                           "(supatui run --new-prisma-password; the wizard's 'set a new password').",
                           code="prisma-password-unknown")
        app.push_screen(PrismaPasswordScreen(app.ctx, error))
        await settle(pilot)
        await assert_fits(pilot, "prisma choice")
        await pilot.press("escape")
        await settle(pilot)

        long = StepFailed("role", "x " * 300, "Do y " * 60, output="\n".join(f"line {i}" for i in range(40)))
        app.push_screen(FailureScreen("Create the prisma role failed", long, step_id="role", can_retry=True))
        await settle(pilot)
        await assert_fits(pilot, "long failure")


def test_columns_that_fit_wraps_in_order() -> None:
    assert columns_that_fit([16, 16, 19, 22], 200, gutter=1) == 4
    assert columns_that_fit([16, 16, 19, 22], 59, gutter=1) == 3  # 22+16+19: the 4th wraps under the 1st
    assert columns_that_fit([16, 16, 19, 22], 58, gutter=1) == 2
    assert columns_that_fit([42, 17], 30) == 1
