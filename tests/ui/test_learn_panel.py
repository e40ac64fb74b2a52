"""Learn mode in the wizard: "Do it myself" shows what to type; Check names what is missing, then sees it done."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual.widgets import Static

from supatui.core.state import load_state
from supatui.ui.screens.learn import DoItYourself
from supatui.ui.state import Status
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.helpers import settle, step_screen, until


def _static_text(app: object, selector: str) -> str:
    """What the Static shows, as plain text (its content may be a rich Group)."""
    widget = app.screen.query_one(selector, Static)  # type: ignore[attr-defined]
    console = Console(width=200, record=True, file=io.StringIO())
    content = widget.content
    console.print(content if not isinstance(content, str) else Text(content))
    return console.export_text()


def _hand_made_project(project: Path) -> None:
    """A Prisma 7 project as someone makes it by hand from Prisma's docs (ts-node, their own config)."""
    (project / "package.json").write_text(json.dumps({"name": "mine", "devDependencies": {
        "prisma": "^7.1.0", "typescript": "^5.9.0", "ts-node": "^10.9.2"}}))
    for name, version in (("prisma", "7.1.0"), ("typescript", "5.9.3"), ("ts-node", "10.9.2")):
        (project / "node_modules" / name).mkdir(parents=True)
        (project / "node_modules" / name / "package.json").write_text(json.dumps({"version": version}))
    (project / "prisma").mkdir()
    (project / "prisma" / "schema.prisma").write_text(
        'generator client {\n  provider = "prisma-client"\n  output   = "../generated/prisma"\n}\n\n'
        'datasource db {\n  provider = "postgresql"\n}\n')
    (project / "prisma.config.ts").write_text(
        'import "dotenv/config";\nimport { defineConfig, env } from "prisma/config";\n\n'
        'export default defineConfig({ schema: "prisma/schema.prisma", datasource: { url: env("DATABASE_URL") } });\n')


async def test_do_it_myself_then_check(make_app: AppFactory, project_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.show_step("project")
        await settle(pilot)
        await pilot.press("ctrl+d")
        await until(pilot, lambda: isinstance(app.screen, DoItYourself))
        lesson = _static_text(app, "#learn-lesson")
        assert "npm init -y" in lesson and "prisma init --datasource-provider postgresql" in lesson
        assert "Why:" in lesson and "What to notice:" in lesson

        await pilot.press("ctrl+k")
        await until(pilot, lambda: "missing" in _static_text(app, "#learn-result"))
        result = _static_text(app, "#learn-result")
        assert "Not done yet" in result and "has no package.json yet" in result and "npm init -y" in result
        assert app.state.steps["project"].status is not Status.DONE

        _hand_made_project(project_dir)
        await pilot.press("ctrl+k")
        await until(pilot, lambda: "Done" in _static_text(app, "#learn-result"))
        await until(pilot, lambda: app.state.steps["project"].status is Status.DONE)
        assert load_state(project_dir).steps["project"]["status"] == "done"  # progress saved

        await pilot.press("escape")
        await settle(pilot)
        assert step_screen(app).step.id == "project"
