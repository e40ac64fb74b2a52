"""Pilot helpers shared by the UI tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from supatui.ui.app import SupatuiApp
from supatui.ui.screens.step import StepScreen

REF = "abcdefghijklmnopqrst"
HOST = "aws-1-eu-west-1.pooler.supabase.com"
ADMIN_PW = "Adm1n-s3cret-pw"


async def settle(pilot: Pilot[int], timeout: float = 30.0) -> None:
    """Wait on the app's state, not on a clock: every worker finished, the screen's re-plan (debounced
    while typing) answered, and the messages the workers posted handled."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    quiet = 0
    while True:
        await wait_for_workers(app)
        await pilot.pause()
        busy = any(not worker.is_finished for worker in app.workers)
        quiet = 0 if busy or not getattr(app.screen, "settled", True) else quiet + 1
        if quiet >= 3:  # idle over three turns of the message loop: a message handled may start more work
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the UI did not settle in {timeout}s: screen {type(app.screen).__name__}, "
                                 f"workers {[w.description for w in app.workers if not w.is_finished]}")
        await pilot.pause(0.02)


async def wait_for_workers(app: SupatuiApp) -> None:
    """Wait for the workers; an exclusive worker replaced by a newer one (a re-plan while typing) is
    cancelled by design, so wait for its successor instead of failing."""
    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def type_into(pilot: Pilot[int], selector: str, text: str) -> None:
    """Type key by key, as a person would."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def paste_into(pilot: Pilot[int], selector: str, text: str) -> None:
    """A terminal paste arrives as one change of the whole text."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.insert_text_at_cursor(text)
    await pilot.pause()


def step_screen(app: SupatuiApp) -> StepScreen:
    screen = app.screen
    assert isinstance(screen, StepScreen), screen
    return screen


async def fill_role(pilot: Pilot[int]) -> None:
    await type_into(pilot, "#ref", REF)
    await type_into(pilot, "#pooler_host", HOST)
    await type_into(pilot, "#admin_password", ADMIN_PW)
    await settle(pilot)


async def until(pilot: Pilot[int], predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``predicate()`` holds (the app's state), failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        await pilot.pause(0.02)
