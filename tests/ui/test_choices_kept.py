"""Choices made on one step's form survive the next step's form: step 2's package manager and Prisma major stay
when step 3's mode is changed, and show again when step 2 is opened back (the choices live in one config)."""

from __future__ import annotations

from textual.widgets import RadioButton, Select

from tests.ui.conftest import AppFactory
from tests.ui.helpers import ADMIN_PW, HOST, REF, settle, step_screen


async def test_step2_choices_survive_step3(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.show_step("project")
        await settle(pilot)
        screen = step_screen(app)
        screen.query_one("#package_manager", Select).value = "pnpm"
        screen.query_one("#prisma_major", Select).value = "6"
        await settle(pilot)
        assert (app.ctx.config.package_manager, app.ctx.config.prisma_major) == ("pnpm", 6)
        app.show_step("connection")
        await settle(pilot)
        screen = step_screen(app)
        for selector, value in (("#ref", REF), ("#pooler_host", HOST), ("#admin_password", ADMIN_PW)):
            for widget in screen.query(selector):
                widget.value = value  # type: ignore[attr-defined]
        screen.query_one("#mode-transaction", RadioButton).value = True
        await settle(pilot)
        config = app.ctx.config
        assert (config.package_manager, config.prisma_major, config.mode) == ("pnpm", 6, "transaction")
        app.show_step("project")
        await settle(pilot)
        screen = step_screen(app)
        assert screen.query_one("#package_manager", Select).value == "pnpm"
        assert screen.query_one("#prisma_major", Select).value == "6"
        assert app.ctx.config.mode == "transaction"
