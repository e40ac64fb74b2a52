"""Bad input through the wizard, by keys, over the REAL steps: a message under the field, or a
notification plus the failure panel when a step fails; never an exception out of the App.

Steps that fail talk to real things: the session sandbox (wrong password, wrong ref), a closed
loopback port, a PATH without Node.js.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Static

from supatui.core.connstr import ConnectionTarget
from supatui.core.context import StepContext, WalkthroughConfig
from supatui.ui.app import SupatuiApp
from supatui.ui.screens.failure import FailureScreen
from supatui.ui.screens.welcome import WelcomeScreen
from tests.matrix.cases import REF, TYPED_PW
from tests.matrix.clihelp import closed_port
from tests.matrix.keys import type_keys
from tests.ui.helpers import paste_into, settle, step_screen

SIZE = (110, 48)


def _app(project: Path, target: ConnectionTarget | None = None) -> SupatuiApp:
    ctx = StepContext(WalkthroughConfig(project_dir=project, target=target))
    return SupatuiApp(ctx, sandbox=False)


def _msg(app: SupatuiApp, field: str) -> str:
    widget = app.screen.query_one(f"#{field}-msg", Static)
    return str(widget.render()) if widget.display else ""


def _notes(app: SupatuiApp) -> list[Any]:
    return list(app._notifications)


async def _open_step(pilot: Any, step_id: str) -> None:
    app = pilot.app
    await settle(pilot)
    app.show_step(step_id)
    await settle(pilot)
    assert step_screen(app).step.id == step_id


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "hello-prisma"
    path.mkdir()
    return path


FIELD_CASES = [
    ("ref-uppercase", "#ref", REF.upper(), "ref", r"not a project ref"),
    ("ref-19-chars", "#ref", REF[:19], "ref", r"not a project ref"),
    ("ref-dotdot", "#ref", "../../etc/passwd", "ref", r"not a project ref"),
    ("host-is-a-url", "#pooler_host", f"postgresql://postgres.{REF}:{TYPED_PW}@h.example:5432/postgres",
     "pooler_host", r"not a host name"),
]


@pytest.mark.parametrize(("selector", "text", "field", "expect"), [c[1:] for c in FIELD_CASES],
                         ids=[c[0] for c in FIELD_CASES])
async def test_bad_field_shows_a_message(project: Path, selector: str, text: str, field: str, expect: str) -> None:
    app = _app(project)
    async with app.run_test(size=SIZE) as pilot:
        await _open_step(pilot, "role")
        # The other fields valid (pasted: only the bad one is under test), then the bad one typed key by key.
        await paste_into(pilot, "#ref", REF)
        await paste_into(pilot, "#pooler_host", "aws-0-eu-west-1.pooler.supabase.com")
        await paste_into(pilot, "#admin_password", "pw")
        await type_keys(pilot, selector, text)
        await settle(pilot)
        message = _msg(app, field)
        assert expect in message, message
        assert TYPED_PW not in message
        assert app.screen.query_one("#run", Button).disabled


@pytest.mark.parametrize(("pasted", "expect"), [
    ("not a url at all", "postgresql://"),
    (f"postgresql://postgres.{REF}:{TYPED_PW}@h.example:99999/postgres", "port"),
    ("postgresql://", "host"),
], ids=["garbage", "port-99999", "no-host"])
async def test_bad_pasted_url_shows_a_message(project: Path, pasted: str, expect: str) -> None:
    app = _app(project)
    async with app.run_test(size=SIZE) as pilot:
        await _open_step(pilot, "role")
        await paste_into(pilot, "#url", pasted)
        await settle(pilot)
        message = _msg(app, "url")
        assert message.startswith("✗") and expect in message, message
        assert TYPED_PW not in message


async def test_missing_admin_password_blocks_run(project: Path) -> None:
    app = _app(project, ConnectionTarget(REF, "aws-0-eu-west-1.pooler.supabase.com"))
    async with app.run_test(size=SIZE) as pilot:
        await _open_step(pilot, "role")
        assert "password" in _msg(app, "admin_password").lower()
        assert app.screen.query_one("#run", Button).disabled


async def _run_and_expect_failure(pilot: Any, expect: str) -> str:
    app = pilot.app
    await pilot.press("ctrl+r")
    for _ in range(10):
        await settle(pilot)
        if isinstance(app.screen, FailureScreen):
            break
    assert isinstance(app.screen, FailureScreen), f"no failure panel; screen is {app.screen!r}"
    errors = [n for n in _notes(app) if n.severity == "error"]
    assert errors, "no error notification"
    text = str(app.screen.query_one("#failure-text", Static).render())
    assert "What to do:" in text, text
    assert expect.lower() in text.lower(), text
    await pilot.press("escape")
    await settle(pilot)
    return text


async def test_wrong_admin_password_fails_with_panel(project: Path, sandbox: Any) -> None:
    app = _app(project, sandbox.target)
    async with app.run_test(size=SIZE) as pilot:
        await _open_step(pilot, "role")
        await type_keys(pilot, "#admin_password", "definitely-wrong-pw")
        await settle(pilot)
        assert not app.screen.query_one("#run", Button).disabled
        text = await _run_and_expect_failure(pilot, "password")
        assert "definitely-wrong-pw" not in text
    assert app.return_code in (None, 0)


async def test_wrong_ref_on_the_pooler_fails_with_panel(project: Path, sandbox: Any) -> None:
    target = ConnectionTarget("zzzzzzzzzzzzzzzzzzzz", sandbox.target.pooler_host, sandbox.target.session_port)
    app = _app(project, target)
    async with app.run_test(size=SIZE) as pilot:
        await _open_step(pilot, "role")
        await type_keys(pilot, "#admin_password", sandbox.postgres_password)
        await settle(pilot)
        await _run_and_expect_failure(pilot, "ref")


async def test_unreachable_port_fails_with_panel(project: Path) -> None:
    app = _app(project, ConnectionTarget(REF, "127.0.0.1", closed_port()))
    async with app.run_test(size=SIZE) as pilot:
        await _open_step(pilot, "role")
        await type_keys(pilot, "#admin_password", "pw")
        await settle(pilot)
        await _run_and_expect_failure(pilot, "listening")


async def test_npm_missing_is_explained(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        tool_bins: dict[str, Path]) -> None:
    monkeypatch.setenv("PATH", str(tool_bins["pybin"]))
    app = _app(project)
    async with app.run_test(size=SIZE) as pilot:
        await _open_step(pilot, "project")
        assert "install node.js" in _msg(app, "package_manager").lower()
        assert app.screen.query_one("#run", Button).disabled


async def test_locked_keyring_is_explained_and_the_app_goes_on(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPATUI_TEST_KEYRING_LOCKED", "1")
    app = _app(project, ConnectionTarget(REF, "aws-0-eu-west-1.pooler.supabase.com"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        environment = str(app.screen.query_one("#environment", Static).render())
        assert "Keyring: ✗" in environment, environment
        await _open_step(pilot, "role")
        await type_keys(pilot, "#admin_password", "pw")
        await settle(pilot)
        assert not app.screen.query_one("#run", Button).disabled
