"""Pilot helpers shared by the UI tests."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from supatui.ui.app import SupatuiApp
from supatui.ui.screens.step import StepScreen

REF = "abcdefghijklmnopqrst"
HOST = "aws-1-eu-west-1.pooler.supabase.com"
ADMIN_PW = "Adm1n-s3cret-pw"


async def settle(pilot: Pilot[int]) -> None:
    """Let timers fire and every worker finish, then let the UI catch up."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause(0.3)
        await wait_for_workers(app)
    await pilot.pause()


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
