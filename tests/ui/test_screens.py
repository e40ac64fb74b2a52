"""Pilot tests of every screen: inputs, validation messages, plan preview, live log, verify, failure."""

from __future__ import annotations

import os

from textual.command import CommandList, CommandPalette
from textual.widgets import Button, Input, RadioButton, Static

from supatui.core.connstr import ConnectionTarget
from supatui.ui.screens.failure import FailureScreen
from supatui.ui.screens.transcript import TranscriptScreen
from supatui.ui.screens.welcome import WelcomeScreen
from supatui.ui.state import Status
from supatui.ui.widgets.live_log import LiveLog
from supatui.ui.widgets.plan_preview import PlanPreview
from tests.ui.conftest import SIZE, SMALL, AppFactory
from tests.ui.helpers import ADMIN_PW, HOST, REF, fill_role, paste_into, settle, step_screen, type_into, until


def text_of(widget: Static) -> str:
    return str(widget.render())


async def test_welcome_lists_steps_with_status(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert all(step.status is Status.PENDING for step in app.state.steps.values())
        assert "Continue: step 1, Create the prisma role" in str(app.screen.query_one("#resume", Button).label)
        assert app.state.keyring_usable is None  # not read until a step needs it (memory, and no hang at start)
        await pilot.press("enter")
        await settle(pilot)
        assert step_screen(app).step.id == "role"
        assert app.state.keyring_usable is True
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Keyring: ✓" in text_of(app.screen.query_one("#environment", Static))


async def test_welcome_resumes_at_first_unfinished_step(make_app: AppFactory, project_dir: object) -> None:
    app = make_app()
    (app.ctx.config.project_dir / ".role.done").write_text("done\n")  # the fake role step is detected as done
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.state.steps["role"].status is Status.DONE
        await pilot.press("enter")
        await settle(pilot)
        assert step_screen(app).step.id == "project"


async def test_validation_message_per_field_as_you_type(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        screen = step_screen(app)
        ref_msg = screen.query_one("#ref-msg", Static)
        assert ref_msg.display and "project ref" in text_of(ref_msg)
        assert screen.query_one("#run", Button).disabled
        await type_into(pilot, "#ref", "Not-A-Ref")
        await settle(pilot)
        assert "'Not-A-Ref' is not a project ref" in text_of(ref_msg)
        await type_into(pilot, "#ref", REF)
        await settle(pilot)
        assert not ref_msg.display
        assert screen.query_one("#pooler_host-msg", Static).display  # still missing
        await type_into(pilot, "#pooler_host", HOST)
        await type_into(pilot, "#admin_password", ADMIN_PW)
        await settle(pilot)
        assert screen.errors == {}
        assert not screen.query_one("#run", Button).disabled
        assert app.ctx.config.target == ConnectionTarget(REF, HOST)
        assert app.ctx.secrets.admin_password == ADMIN_PW


async def test_pasting_a_url_fills_the_fields(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await paste_into(pilot, "#url", f"postgresql://postgres.{REF}:p%40ss%23word@{HOST}:5432/postgres")
        await settle(pilot)
        screen = step_screen(app)
        assert screen.query_one("#ref", Input).value == REF
        assert screen.query_one("#pooler_host", Input).value == HOST
        assert screen.query_one("#url", Input).value == ""  # read and cleared: it held a password
        assert screen.query_one("#admin_password", Input).value == "p@ss#word"
        assert screen.query_one("#admin_password", Input).password  # masked on screen
        assert app.ctx.secrets.admin_password == "p@ss#word"
        assert "Filled from the pasted connection string" in text_of(screen.query_one("#url-msg", Static))


async def test_mode_choice_with_help_line(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.show_step("connection")
        await settle(pilot)
        screen = step_screen(app)
        await paste_into(pilot, "#url", f"postgresql://prisma.{REF}@{HOST}:6543/postgres")
        await settle(pilot)
        assert screen.query_one("#mode-transaction", RadioButton).value
        assert app.ctx.config.mode == "transaction"
        assert "serverless" in text_of(screen.query_one("#mode-help", Static))
        await pilot.click("#mode-session")
        await settle(pilot)
        assert app.ctx.config.mode == "session"


async def test_plan_preview_shows_sql_commands_and_files(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        preview = step_screen(app).query_one(PlanPreview)
        await fill_role(pilot)
        assert "create user \"prisma\" with password '****'" in preview.plain
        assert "$ DATABASE_URL=… echo role" in preview.plain
        assert "+done" in preview.plain
        preview.scroll_visible(animate=False)
        await pilot.pause()
        rendered = app.export_screenshot()
        assert "Plan:&#160;what&#160;Run&#160;will&#160;do" in rendered
        assert "(values&#160;hidden)" in rendered


async def test_run_streams_the_log_and_shows_the_checks(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await fill_role(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen = step_screen(app)
        log = screen.query_one(LiveLog)
        assert "select 1" in log.texts and "hello from role" in log.texts
        assert app.state.steps["role"].status is Status.DONE
        checks = text_of(screen.query_one("#checks", Static))
        assert "✓ pass  .role.done exists" in checks and "All checks passed" in checks
        assert (app.ctx.config.project_dir / ".role.done").exists()
        assert "Run again" in str(screen.query_one("#run", Button).label)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_screen(app).step.id == "project"
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert step_screen(app).step.id == "role"
        assert "hello from role" in step_screen(app).query_one(LiveLog).texts  # revisited: the log is still there


async def test_failure_panel_shows_cause_and_fix_and_retries(make_app: AppFactory) -> None:
    app = make_app(role="fail")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await fill_role(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, FailureScreen)
        text = text_of(app.screen.query_one("#failure-text", Static))
        assert 'password authentication failed for user "prisma"' in text
        assert "What to do: Check the password" in text
        assert app.state.steps["role"].status is Status.FAILED
        assert ADMIN_PW not in app.export_screenshot()
        await pilot.press("ctrl+r")  # retry from the panel
        await settle(pilot)
        assert app.state.steps["role"].run == 2
        assert isinstance(app.screen, FailureScreen)
        await pilot.press("escape")
        await settle(pilot)
        checks = text_of(step_screen(app).query_one("#checks", Static))
        assert "✗ FAILED" in checks


async def test_verify_failure_is_a_failure(make_app: AppFactory) -> None:
    app = make_app(project="verify-fails")
    async with app.run_test(size=SIZE) as pilot:
        app.show_step("project")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, FailureScreen)
        assert app.state.steps["project"].status is Status.FAILED
        await pilot.press("escape")
        await settle(pilot)
        assert "✗ FAIL  .project.done exists" in text_of(step_screen(app).query_one("#checks", Static))


async def test_escape_cancels_the_running_step_and_its_child(make_app: AppFactory) -> None:
    app = make_app(project="slow")
    async with app.run_test(size=SIZE) as pilot:
        app.show_step("project")
        await settle(pilot)
        await pilot.press("ctrl+r")
        log = step_screen(app).query_one(LiveLog)
        for _ in range(100):
            await pilot.pause(0.05)
            if "working" in log.texts:
                break
        assert app.state.running == "project"
        pids = [p.pid for p in app.ctx.cancel._procs]
        assert pids
        await pilot.press("escape")
        await settle(pilot)
        assert app.state.running is None
        assert app.state.steps["project"].status is Status.PENDING
        for pid in pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            raise AssertionError(f"child {pid} still running after Esc")
        assert not (app.ctx.config.project_dir / ".project.done").exists()


async def test_stepper_click_and_overview(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        stepper = step_screen(app).query_one("#stepper")
        stepper.focus()
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert step_screen(app).step.id == "connection"
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)


async def test_command_palette_jumps_to_a_step(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"go to step 4")
        options = app.screen.query_one(CommandList)
        await until(pilot, lambda: options.option_count > 0 and "step 4" in str(options.get_option_at_index(0).prompt))
        await pilot.press("enter")
        await settle(pilot)
        assert step_screen(app).step.id == "migrations"


async def test_transcript_shows_what_ran(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.show_step("project")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        assert "hello from project" in app.screen.query_one(LiveLog).texts
        await pilot.press("escape")
        await settle(pilot)
        assert step_screen(app).step.id == "project"


async def test_no_keyring_says_so_and_asks_each_time(make_app: AppFactory, monkeypatch: object) -> None:
    os.environ["SUPATUI_TEST_KEYRING_LOCKED"] = "1"
    try:
        app = make_app()
        app.ctx.config.target = ConnectionTarget(REF, HOST)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.state.keyring_usable is False
            environment = text_of(app.screen.query_one("#environment", Static))
            assert "Keyring: ✗ none usable" in environment
            # what really happens: prisma's password goes into .env (0600, gitignored), the admin's is asked for
            assert ".env (0600, gitignored)" in environment and "postgres password is asked" in environment
            await pilot.press("enter")
            await settle(pilot)
            note = text_of(step_screen(app).query_one(".keyring-note", Static))
            assert "asked for it each time" in note
    finally:
        del os.environ["SUPATUI_TEST_KEYRING_LOCKED"]


async def test_usable_at_80x24_by_keyboard(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await fill_role(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.state.steps["role"].status is Status.DONE
        assert "^r" in app.export_screenshot() or "Run" in app.export_screenshot()
