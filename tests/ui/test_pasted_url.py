"""The Connect dialog's string in the wizard: the placeholder is never a password, the pasted port is kept,
and a string typed key by key is read on Enter, not at its first character (host `a`)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Static

from tests.ui.conftest import SIZE, AppFactory
from tests.ui.helpers import HOST, REF, paste_into, settle, step_screen, type_into


async def test_the_placeholder_is_named_never_tried(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await paste_into(pilot, "#url", f"postgresql://postgres.{REF}:[YOUR-PASSWORD]@{HOST}:5432/postgres")
        await settle(pilot)
        screen = step_screen(app)
        assert screen.query_one("#ref", Input).value == REF
        assert screen.query_one("#admin_password", Input).value == ""
        assert not app.ctx.secrets.admin_password
        note = str(screen.query_one("#url-msg", Static).render())
        assert "[YOUR-PASSWORD]" in note and "type the database password" in note


async def test_a_pasted_port_is_kept(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await paste_into(pilot, "#url", f"postgresql://postgres.{REF}:pw-123456@{HOST}:6544/postgres")
        await settle(pilot)
        assert app.ctx.config.target is not None
        assert (app.ctx.config.target.pooler_host, app.ctx.config.target.session_port) == (HOST, 6544)


async def test_a_typed_string_is_read_on_enter(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await type_into(pilot, "#url", f"postgresql://postgres.{REF}@{HOST}:5432/postgres")
        await settle(pilot)
        screen = step_screen(app)
        assert screen.query_one("#pooler_host", Input).value == ""  # not host `a` after "postgresql://a"
        assert "Press Enter" in str(screen.query_one("#url-msg", Static).render())
        screen.query_one("#url", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#pooler_host", Input).value == HOST
        assert screen.query_one("#ref", Input).value == REF


ENV_BLOCK = f"""# Connect to Supabase via connection pooling
DATABASE_URL="postgresql://postgres.{REF}:[YOUR-PASSWORD]@{HOST}:6543/postgres?pgbouncer=true"

# Direct connection to the database. Used for migrations
DIRECT_URL="postgresql://postgres.{REF}:[YOUR-PASSWORD]@{HOST}:5432/postgres"
"""


async def test_the_connect_dialogs_env_block_fills_the_fields(make_app: AppFactory) -> None:
    """The ORM tab's .env block, pasted whole: Textual's Input would keep its first line, a comment."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        step_screen(app).query_one("#url", Input).focus()
        app.post_message(events.Paste(ENV_BLOCK))  # as the terminal driver delivers a bracketed paste
        await settle(pilot)
        screen = step_screen(app)
        assert screen.query_one("#ref", Input).value == REF
        assert screen.query_one("#pooler_host", Input).value == HOST
        note = str(screen.query_one("#url-msg", Static).render())
        assert "Filled from the pasted connection string" in note and "[YOUR-PASSWORD]" in note
