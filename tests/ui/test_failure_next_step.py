"""Inside the wizard the failure panel names the wizard's own way on (Retry, or the step to run first), never the
CLI's `supatui run --from …`: the engine-download panel told a wizard user to resume with a command line."""

from __future__ import annotations

from textual.widgets import Static

from supatui.core.errors import StepFailed
from supatui.core.prisma.engine import engine_download_error
from supatui.ui.screens.failure import FailureScreen
from tests.ui.conftest import SMALL, AppFactory
from tests.ui.helpers import settle

OFFLINE = ("Error: request to https://binaries.prisma.sh/all_commits/d1b3f377ca835d73fd50954a5e22128b9ebdd6b8/"
           "debian-openssl-3.0.x/schema-engine.gz.sha256 failed, reason: getaddrinfo ENOTFOUND binaries.prisma.sh")


async def _panel_text(make_app: AppFactory, step_id: str, error: StepFailed) -> str:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.show_step(step_id)
        await settle(pilot)
        app.show_error(error, step_id=step_id)
        await settle(pilot)
        assert isinstance(app.screen, FailureScreen)
        return str(app.screen.query_one("#failure-text", Static).render())


async def test_engine_download_panel_offers_retry_not_the_cli(make_app: AppFactory) -> None:
    text = await _panel_text(make_app, "project", engine_download_error("project", OFFLINE))
    assert "supatui run" not in text, text
    assert "Retry (^r)" in text, text


async def test_a_step_to_run_first_is_named_as_the_wizard_shows_it(make_app: AppFactory) -> None:
    error = StepFailed("client", "prisma/schema.prisma is missing.", "Run the project step first.", resume="project")
    text = await _panel_text(make_app, "client", error)
    assert "supatui run" not in text, text
    assert "step 2, Create the Node project" in text, text  # its number and title, as the Steps list shows it
