"""SVG snapshots of every screen, with fake steps and fixed inputs so they are deterministic.

Update with ``pytest tests/ui/test_snapshots.py --snapshot-update`` after an intended change.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from supatui.core import walkthrough
from supatui.core.context import StepContext, WalkthroughConfig
from supatui.ui.app import SupatuiApp
from tests.ui.conftest import SIZE, SMALL
from tests.ui.fakes import fake_steps
from tests.ui.helpers import fill_role, settle

FIXED_DIR = Path("/tmp/supatui-snapshots/hello-prisma")  # plan previews show the path: keep it fixed

SnapCompare = Callable[..., bool]


class _StoppedClock:
    """The walkthrough's clock for snapshots: every run takes 0.0 s, so the log's last line never differs."""

    @staticmethod
    def monotonic() -> float:
        return 0.0


@pytest.fixture
def snap_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., SupatuiApp]]:
    monkeypatch.setattr(walkthrough, "time", _StoppedClock)
    shutil.rmtree(FIXED_DIR.parent, ignore_errors=True)
    FIXED_DIR.mkdir(parents=True)

    def factory(**behaviours: str) -> SupatuiApp:
        behaviours = {"role": "scripted", **behaviours}
        ctx = StepContext(WalkthroughConfig(project_dir=FIXED_DIR))
        return SupatuiApp(ctx, sandbox=False, steps=fake_steps(**behaviours))

    yield factory
    shutil.rmtree(FIXED_DIR.parent, ignore_errors=True)


async def _open_role(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _role_done(pilot: Pilot[Any]) -> None:
    await _open_role(pilot)
    await fill_role(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)
    pilot.app.screen.query_one("#checks").scroll_visible(animate=False)
    pilot.app.clear_notifications()  # the "step done" toast is not part of the screen under test
    await pilot.pause()


async def _role_failed(pilot: Pilot[Any]) -> None:
    await _open_role(pilot)
    await fill_role(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def _step(pilot: Pilot[Any], step_id: str) -> None:
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, SupatuiApp)
    app.show_step(step_id)
    await settle(pilot)


async def _transcript(pilot: Pilot[Any]) -> None:
    await _role_done(pilot)
    await pilot.press("ctrl+t")
    await settle(pilot)


def test_welcome(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    assert snap_compare(snap_app(), run_before=settle, terminal_size=SIZE)


def test_welcome_80x24(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    assert snap_compare(snap_app(), run_before=settle, terminal_size=SMALL)


def test_role_empty_shows_field_messages(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    assert snap_compare(snap_app(), run_before=_open_role, terminal_size=SIZE)


def test_role_80x24(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    assert snap_compare(snap_app(), run_before=_open_role, terminal_size=SMALL)


def test_role_done_log_and_checks(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    assert snap_compare(snap_app(), run_before=_role_done, terminal_size=SIZE)


def test_project_step(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _step(pilot, "project")

    assert snap_compare(snap_app(), run_before=run_before, terminal_size=SIZE)


def test_connection_step_modes(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _step(pilot, "connection")

    assert snap_compare(snap_app(), run_before=run_before, terminal_size=SIZE)


def test_migrations_step(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _step(pilot, "migrations")

    assert snap_compare(snap_app(), run_before=run_before, terminal_size=SIZE)


def test_failure_panel(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    assert snap_compare(snap_app(role="scripted-fail"), run_before=_role_failed, terminal_size=SIZE)


def test_transcript(snap_compare: SnapCompare, snap_app: Callable[..., SupatuiApp]) -> None:
    assert snap_compare(snap_app(), run_before=_transcript, terminal_size=SIZE)
