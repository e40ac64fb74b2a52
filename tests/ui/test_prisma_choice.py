"""Issue 10 in the wizard: the prisma role exists with a password nobody here knows, and "Test connection".

Against the real session sandbox (the role step's choice) and the fake cleartext-password server
(tests/fake_pg.py) that counts every login attempt ("Test connection": one per press, none on typing).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from textual.widgets import Button, Input, Static

from supatui.core import conntest, secrets
from supatui.core.connstr import ConnectionTarget
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.database import connect_target
from supatui.core.errors import SupatuiError
from supatui.core.steps.connection import ConnectionStep
from supatui.core.steps.role import RoleStep
from supatui.ui.app import SupatuiApp
from supatui.ui.screens.prisma_choice import PrismaPasswordScreen
from supatui.ui.state import Status
from tests.fake_pg import FakePostgres
from tests.ui.helpers import settle, step_screen, until

OLD = "Old-existing-pw-7"
REF = "abcdefghijklmnopqrst"
TYPED = "Typed-pw-42"


def admin(sandbox: Any) -> psycopg.Connection[Any]:
    return connect_target(sandbox.target, "postgres", sandbox.postgres_password, "session")


@pytest.fixture
def existing_role(sandbox: Any) -> Iterator[str]:
    """A prisma role made elsewhere with the guide's statement (another machine, the SQL editor): its password is
    in no keyring nor .env."""
    role = f"prisma_c{uuid.uuid4().hex[:8]}"
    with admin(sandbox) as conn:
        statement = sql.SQL("create user {} with password {} bypassrls createdb")
        conn.execute(statement.format(sql.Identifier(role), sql.Literal(OLD)))
    yield role
    with admin(sandbox) as conn:
        conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
    secrets.delete_password(sandbox.ref, role)


def logs_in(sandbox: Any, role: str, password: str) -> bool:
    try:
        connect_target(sandbox.target, role, password, "session", connect_timeout=5).close()
    except SupatuiError:
        return False
    return True


async def run_until_choice(pilot: Any, app: SupatuiApp) -> PrismaPasswordScreen:
    app.show_step("role")
    await settle(pilot)
    await pilot.press("ctrl+r")
    await until(pilot, lambda: isinstance(app.screen, PrismaPasswordScreen), timeout=30)
    assert app.state.steps["role"].status is Status.FAILED
    screen = app.screen
    assert isinstance(screen, PrismaPasswordScreen)
    return screen


async def click(pilot: Any, selector: str) -> None:
    """Scroll the button into view (the step screen scrolls), then click it as a person would."""
    pilot.app.screen.query_one(selector, Button).scroll_visible(animate=False, immediate=True)
    await pilot.pause()
    await pilot.click(selector)


def role_app(sandbox: Any, role: str, project: Path) -> SupatuiApp:
    ctx = StepContext(WalkthroughConfig(project_dir=project, target=sandbox.target, role=role),
                      Secrets(admin_password=sandbox.postgres_password))
    from supatui.core.steps import all_steps

    return SupatuiApp(ctx, sandbox=False, steps=all_steps())  # the welcome screen expects every step


@pytest.mark.slow
async def test_unknown_password_offers_a_new_one_for_that_run_only(sandbox: Any, existing_role: str,
                                                                  tmp_path: Path) -> None:
    app = role_app(sandbox, existing_role, tmp_path)
    async with app.run_test(size=(110, 48)) as pilot:
        await settle(pilot)
        screen = await run_until_choice(pilot, app)
        warning = str(screen.query_one("#new-warning", Static).render())
        assert "stops working" in warning and "deployments" in warning
        assert logs_in(sandbox, existing_role, OLD), "nothing was changed before the person chose"
        await click(pilot, "#set-new")
        await until(pilot, lambda: app.state.steps["role"].status is not Status.FAILED, timeout=10)
        await until(pilot, lambda: app.state.steps["role"].status not in (Status.RUNNING, Status.FAILED),
                    timeout=60)
        mine = app.state.steps["role"]
        assert mine.status is Status.DONE, (mine.status, mine.error, [e.text for e in mine.events][-5:])
        await settle(pilot)
        assert all(check.ok for check in app.state.steps["role"].checks)
        new = app.ctx.secrets.prisma_password
        assert new and new != OLD
        assert app.ctx.config.new_prisma_password is False  # that run only
    assert logs_in(sandbox, existing_role, new) and not logs_in(sandbox, existing_role, OLD)


@pytest.mark.slow
async def test_typing_the_existing_password_checks_it_with_one_login(sandbox: Any, existing_role: str,
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[str] = []
    real = conntest.connect_target

    def counted(target: ConnectionTarget, role: str, password: str | None, mode: Any, **kw: Any) -> Any:
        checks.append(role)
        return real(target, role, password, mode, **kw)

    monkeypatch.setattr(conntest, "connect_target", counted)  # the real login, counted
    app = role_app(sandbox, existing_role, tmp_path)
    async with app.run_test(size=(110, 48)) as pilot:
        await settle(pilot)
        screen = await run_until_choice(pilot, app)
        field = screen.query_one("#existing-password", Input)
        field.focus()
        await pilot.press(*"wrong-one")
        await settle(pilot)
        assert checks == []  # typing logs in nowhere
        await click(pilot, "#check-existing")
        await until(pilot, lambda: "refused" in str(screen.query_one("#check-msg", Static).render()))
        assert checks == [existing_role] and isinstance(app.screen, PrismaPasswordScreen)  # no retry by itself
        field.value = ""
        await pilot.press(*OLD)
        await settle(pilot)
        assert len(checks) == 1
        await click(pilot, "#check-existing")
        await until(pilot, lambda: app.state.steps["role"].status is Status.DONE, timeout=60)
        await settle(pilot)
        assert checks == [existing_role, existing_role]  # exactly one login for this check
        assert all(check.ok for check in app.state.steps["role"].checks)
        assert app.ctx.secrets.prisma_password == OLD
    assert logs_in(sandbox, existing_role, OLD)  # kept, not changed


# --- "Test connection", counted on the fake server ---

@pytest.fixture
def fake() -> Iterator[FakePostgres]:
    with FakePostgres() as server:
        yield server


async def test_test_connection_is_one_login_per_press_and_none_while_typing(fake: FakePostgres,
                                                                           tmp_path: Path) -> None:
    target = ConnectionTarget(REF, "127.0.0.1", fake.port, fake.port, direct_host="127.0.0.1", direct_port=fake.port)
    project = tmp_path / "hello-prisma"
    project.mkdir()
    ctx = StepContext(WalkthroughConfig(project_dir=project, target=target))
    app = SupatuiApp(ctx, sandbox=False, steps=[RoleStep(), ConnectionStep()])
    async with app.run_test(size=(110, 48)) as pilot:
        await settle(pilot)
        app.show_step("role")
        await settle(pilot)
        screen = step_screen(app)
        assert screen.query_one("#test-login", Button).display
        await click(pilot, "#test-login")  # no admin password yet: incomplete input, no login
        await settle(pilot)
        assert fake.connections == 0
        field = screen.query_one("#admin_password", Input)
        field.focus()
        for key in TYPED:
            await pilot.press(key)
            await pilot.pause(0.3)  # longer than the preview's debounce
        await settle(pilot)
        assert fake.attempts == []
        await pilot.press("ctrl+g")
        await until(pilot, lambda: not screen.testing)
        await settle(pilot)
        assert [(a.user, a.password) for a in fake.attempts] == [(f"postgres.{REF}", TYPED)]
        notices = [n.message for n in app._notifications]
        assert any("refused" in n and "Not retried" in n for n in notices), notices
        await pilot.pause(0.5)
        assert len(fake.attempts) == 1  # a refused password is not retried by itself
        await click(pilot, "#test-login")
        await until(pilot, lambda: not screen.testing)
        await settle(pilot)
        assert len(fake.attempts) == 2  # one per press
        # The connection step: through the DATABASE_URL it would write, as prisma.<ref>.
        app.ctx.secrets.prisma_password = "Prisma-pw-9"
        app.show_step("connection")
        await settle(pilot)
        connection = step_screen(app)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: not connection.testing)
        await settle(pilot)
        assert [(a.user, a.password) for a in fake.attempts[2:]] == [(f"prisma.{REF}", "Prisma-pw-9")]
        assert not (project / ".env").exists()
