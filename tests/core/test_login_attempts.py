"""Issue 10 defect 2: no login before an explicit action, one attempt per action, patient retries only
right after supatui changed the password. Counted on a fake server that asks for a cleartext password
(tests/fake_pg.py), so every attempt and every password sent is seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from supatui.core.connstr import ConnectionTarget
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.database import connect_target
from supatui.core.errors import StepFailed, SupatuiError
from supatui.core.events import Event, EventKind
from supatui.core.login import login_after_password_change
from supatui.core.steps.role import RoleStep
from tests.fake_pg import FakePostgres

REF = "abcdefghijklmnopqrst"
TYPED = "Typed-pw-42"


@pytest.fixture
def fake() -> Iterator[FakePostgres]:
    with FakePostgres() as server:
        yield server


def target(fake: FakePostgres) -> ConnectionTarget:
    return ConnectionTarget(REF, "127.0.0.1", fake.port, fake.port, direct_host="127.0.0.1", direct_port=fake.port)


def test_planning_while_typing_never_logs_in(fake: FakePostgres, tmp_path: Path) -> None:
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path, target=target(fake)), Secrets())
    step = RoleStep()
    for end in range(1, len(TYPED) + 1):  # the wizard re-plans at each pause in typing
        ctx.secrets.admin_password = TYPED[:end]
        step.validate(ctx)
        step.plan(ctx)
    assert fake.connections == 0 and fake.attempts == []


def test_run_is_one_attempt_and_stops_on_a_wrong_password(fake: FakePostgres, tmp_path: Path) -> None:
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path, target=target(fake)), Secrets(admin_password=TYPED))
    with pytest.raises(StepFailed) as info:
        RoleStep().run(ctx, lambda e: None)
    assert info.value.code == "auth-failed"
    assert [(a.user, a.password) for a in fake.attempts] == [(f"postgres.{REF}", TYPED)]


def test_after_a_password_change_retries_are_few_spaced_and_explained(fake: FakePostgres) -> None:
    pauses: list[float] = []
    events: list[Event] = []
    with pytest.raises(SupatuiError) as info:
        login_after_password_change(lambda: connect_target(target(fake), "prisma", "New-pw-1", "session").close(),
                                    step="role", what="Logging in as prisma", emit=events.append, sleep=pauses.append)
    assert info.value.code == "auth-failed"
    assert len(fake.attempts) == 4 and pauses == [2.0, 4.0, 8.0]
    warnings = [e.text for e in events if e.kind == EventKind.WARNING]
    assert len(warnings) == 3 and all("old password" in w for w in warnings)


def test_other_failures_are_not_retried(tmp_path: Path) -> None:
    pauses: list[float] = []
    closed = ConnectionTarget(REF, "127.0.0.1", 1, 1)
    with pytest.raises(SupatuiError) as info:
        login_after_password_change(lambda: connect_target(closed, "prisma", "x" * 8, "session").close(),
                                    step="role", what="login", sleep=pauses.append)
    assert info.value.code == "refused" and pauses == []


async def test_wizard_typing_a_password_sends_nothing_until_run(fake: FakePostgres, tmp_path: Path) -> None:
    """Pilot types the postgres password key by key with pauses (the preview re-plans each time)."""
    from textual.widgets import Input

    from supatui.ui.app import SupatuiApp
    from supatui.ui.screens.failure import FailureScreen
    from tests.ui.helpers import settle, step_screen

    project = tmp_path / "hello-prisma"
    project.mkdir()
    app = SupatuiApp(StepContext(WalkthroughConfig(project_dir=project, target=target(fake))), sandbox=False)
    async with app.run_test(size=(110, 48)) as pilot:
        await settle(pilot)
        app.show_step("role")
        await settle(pilot)
        assert step_screen(app).step.id == "role"
        field = app.screen.query_one("#admin_password", Input)
        field.focus()
        for key in TYPED:
            await pilot.press(key)
            await pilot.pause(0.35)  # longer than the preview's debounce
        await settle(pilot)
        assert app.ctx.secrets.admin_password == TYPED
        assert fake.attempts == [], [a.password for a in fake.attempts]
        await pilot.press("ctrl+r")  # run the step: the explicit action
        for _ in range(10):
            await settle(pilot)
            if isinstance(app.screen, FailureScreen):
                break
        assert isinstance(app.screen, FailureScreen), "the refused password did not stop the step"
        await pilot.press("escape")
        await settle(pilot)
    assert [a.password for a in fake.attempts] == [TYPED]  # the explicit action: exactly one attempt


async def test_a_stored_password_is_not_tried_when_the_wizard_opens(fake: FakePostgres, tmp_path: Path) -> None:
    """The keyring holds the postgres password from an earlier run: opening the wizard, every step screen
    and the overview reads it but logs in nowhere until the person runs a step."""
    from supatui.core import secrets
    from supatui.core.steps import STEP_IDS
    from supatui.ui.app import SupatuiApp
    from tests.ui.helpers import settle

    ref = "storedpwtarget000001"
    stored = "Stored-pw-7"
    secrets.set_password(ref, "postgres", stored)
    try:
        project = tmp_path / "hello-prisma"
        project.mkdir()
        there = ConnectionTarget(ref, "127.0.0.1", fake.port, fake.port, direct_host="127.0.0.1",
                                 direct_port=fake.port)
        app = SupatuiApp(StepContext(WalkthroughConfig(project_dir=project, target=there)), sandbox=False)
        async with app.run_test(size=(110, 48)) as pilot:
            await settle(pilot)
            for step_id in STEP_IDS:
                app.show_step(step_id)
                await settle(pilot)
                await pilot.pause(0.5)
            await settle(pilot)
            assert app.ctx.secrets.admin_password == stored  # it was read...
        assert fake.attempts == [], [a.password for a in fake.attempts]  # ...and sent nowhere
    finally:
        secrets.delete_password(ref, "postgres")
