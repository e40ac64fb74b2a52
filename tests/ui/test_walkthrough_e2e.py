"""The whole guide by keyboard on the real sandbox with real npm and Prisma: six steps, live.

Screen exports are taken throughout; neither the postgres nor the prisma password may appear
in any of them (in any encoding the redactor knows).
"""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.ui.app import SupatuiApp
from supatui.ui.screens.failure import FailureScreen
from supatui.ui.screens.step import StepScreen
from supatui.ui.state import Status
from supatui.ui.widgets.live_log import LiveLog
from tests.conftest import require_tool
from tests.ui.helpers import settle, step_screen

pytest_plugins = ["tests.prisma_fixture"]

STEP_TIMEOUT = 240.0


async def press_run(pilot: Pilot[Any], app: SupatuiApp, step_id: str, tries: int = 5) -> None:
    """Ctrl+R until the run has started: a key pressed while the form re-validates (inputs refreshed by the
    sandbox or the keyring) is ignored by design, and then "not running" would be true at once."""
    before = app.state.steps[step_id].run
    for _ in range(tries):
        await pilot.press("ctrl+r")
        await settle(pilot)
        if app.state.steps[step_id].run > before:
            return
    raise AssertionError(f"ctrl+r did not start step {step_id} in {tries} presses")


async def wait_for(pilot: Pilot[Any], predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            screen = pilot.app.screen
            detail = getattr(screen, "errors", None)
            raise AssertionError(f"timed out waiting for {what}; screen {type(screen).__name__}, errors {detail!r}")
        await pilot.pause(0.2)


def secret_forms(secret: str) -> set[str]:
    return {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}


@pytest.mark.slow
async def test_full_walkthrough_by_keys_on_the_sandbox(sandbox: Any, prisma_engine: str | None, tmp_path: Path) -> None:
    require_tool("npm")
    project = tmp_path / "hello-prisma"
    ctx = StepContext(WalkthroughConfig(project_dir=project, sandbox=True))
    app = SupatuiApp(ctx, sandbox=True)
    exports: list[str] = []
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: app.state.sandbox_status in ("ready", "failed"), 60, "the sandbox")
        assert app.state.sandbox_status == "ready", app.state.sandbox_detail
        await settle(pilot)
        exports.append(app.export_screenshot())
        # "Start at step 1": earlier tests may have left a verified prisma role in the shared sandbox,
        # in which case "Continue where you left off" rightly skips ahead.
        await pilot.click("#start" if app.screen.query_one("#start").display else "#resume")  # resume: at step 1
        for number, step_id in enumerate(app.state.step_ids, start=1):
            await wait_for(pilot, lambda sid=step_id: isinstance(app.screen, StepScreen) and app.screen.step.id == sid
                           and app.screen.errors == {}, 30, f"step {number} inputs to validate ({step_id})")
            exports.append(app.export_screenshot())
            await press_run(pilot, app, step_id)
            await wait_for(pilot, lambda sid=step_id: app.state.running is None and app.state.steps[sid].status
                           is not Status.RUNNING, STEP_TIMEOUT, f"step {step_id} to finish")
            await settle(pilot)
            exports.append(app.export_screenshot())
            mine = app.state.steps[step_id]
            if isinstance(app.screen, FailureScreen):
                failure = str(app.screen.query_one("#failure-text").render())
                raise AssertionError(f"step {step_id} failed: {failure}")
            assert mine.status is Status.DONE, (step_id, mine.error, [e.text for e in mine.events][-15:])
            assert mine.checks and all(check.ok for check in mine.checks)
            log = step_screen(app).query_one(LiveLog)
            assert log.texts, f"nothing was shown live for {step_id}"
            if step_id == "role":
                assert any("create" in text.lower() and "prisma" in text for text in log.texts)
            if step_id == "test":
                break
            await pilot.press("ctrl+n")
        log_text = "\n".join(step_screen(app).query_one(LiveLog).texts)
        assert "row(s)" in log_text  # the rows printed by the test script are on screen
        exports.append(app.export_screenshot())
        await pilot.press("ctrl+n")  # Finish → overview with everything done
        await settle(pilot)
        exports.append(app.export_screenshot())
        assert all(step.status is Status.DONE for step in app.state.steps.values())
    passwords = [sandbox.postgres_password, ctx.secrets.admin_password, ctx.secrets.prisma_password]
    assert ctx.secrets.prisma_password
    for secret in filter(None, passwords):
        for form in secret_forms(secret):
            for index, export in enumerate(exports):
                assert form not in export, f"a password appears in screen export {index}"
    assert (project / "index.ts").exists()
