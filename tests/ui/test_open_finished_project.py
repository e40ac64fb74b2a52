"""Opening the wizard on a finished project runs none of the project's code and writes nothing.

The project is taken through steps 4-6 for real (real Prisma, real database), then its index.ts
gets a line that writes a marker file. Opening the wizard detects every step with ``is_done``
(read-only): step 6 counts the rows its script reads, it does not run the script.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.steps.client import ClientStep
from supatui.core.steps.migrations import MigrationsStep
from supatui.core.steps.testscript import TestStep
from supatui.ui.launch import _transcript, build_context
from supatui.ui.state import Status
from tests.ui.helpers import wait_for_workers

if TYPE_CHECKING:
    from tests.prisma_fixture import PrismaDb

pytest_plugins = ["tests.prisma_fixture"]
pytestmark = pytest.mark.slow

MARKER = "opened.marker"


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder`` with its mtime and size (node_modules included)."""
    found: dict[str, tuple[int, int]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            found[str(path.relative_to(folder))] = (info.st_mtime_ns, info.st_size)
    return found


async def test_opening_a_finished_project_runs_nothing_and_writes_nothing(project_copy: Path,
                                                                        prisma_db: PrismaDb) -> None:
    prisma_db.write_env(project_copy)
    ctx = StepContext(WalkthroughConfig(project_dir=project_copy))
    for step in (MigrationsStep(), ClientStep(), TestStep()):
        step.run(ctx, lambda event: None)
    script = project_copy / "index.ts"
    script.write_text('import { writeFileSync } from "node:fs";\n'
                      f'writeFileSync("{MARKER}", "the project ran");\n' + script.read_text())
    time.sleep(0.01)  # a write after this point shows in the mtimes
    before = tree(project_copy)

    from supatui.ui.app import SupatuiApp

    opened, done = build_context(argparse.Namespace(dir=project_copy, sandbox=False))
    transcript = _transcript(opened)
    app = SupatuiApp(opened, sandbox=False, done=done, transcript_factory=lambda: transcript)
    async with app.run_test(size=(100, 40)) as pilot:
        for _ in range(600):  # wait on the state (steps loaded, every step detected), not on a clock
            if app.steps and all(s.status is not Status.CHECKING for s in app.state.steps.values()):
                break
            await pilot.pause(0.1)
        await wait_for_workers(app)
        await pilot.pause()
        statuses = {step_id: s.status for step_id, s in app.state.steps.items()}
    transcript.close()

    assert app.steps, "the real steps never loaded"
    assert statuses["test"] is Status.DONE, statuses  # detected from the database's rows, not by running it
    assert statuses["migrations"] is Status.DONE and statuses["client"] is Status.DONE, statuses
    assert not (project_copy / MARKER).exists(), "opening the wizard ran the project's index.ts"
    assert tree(project_copy) == before, "opening the wizard wrote to the project folder"


def test_step6_is_done_reads_only(project_copy: Path, prisma_db: PrismaDb) -> None:
    """is_done is False before the script exists and True once the rows it reads are there; it never runs it."""
    prisma_db.write_env(project_copy)
    ctx = StepContext(WalkthroughConfig(project_dir=project_copy))
    MigrationsStep().run(ctx, lambda event: None)
    step = TestStep()
    assert not step.is_done(ctx)  # no index.ts yet
    ClientStep().run(ctx, lambda event: None)
    result = step.run(ctx, lambda event: None)
    assert result.rows is not None and result.rows.count == 1
    script = project_copy / "index.ts"
    script.write_text(f'require("fs").writeFileSync("{MARKER}", "x");\n' + script.read_text())
    assert step.is_done(ctx)
    assert not (project_copy / MARKER).exists()
