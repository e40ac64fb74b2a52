"""Issue 10 defect 8: a failed or interrupted step is never taken as done.

Two ways a folder looked done though it was not: ``prisma init`` interrupted (no .gitignore, so
.env could be committed; Prisma's prisma7.config.ts, which the CLI loads before supatui's
prisma.config.ts) and a failed ``prisma generate`` (a half-written client). Done now means
supatui's files are all there and right, and a step whose last run failed, was cancelled or was
killed runs again whatever its checks say.
"""

from __future__ import annotations

import json
from pathlib import Path

from supatui.core import state as saved_state
from supatui.core.context import StepContext, WalkthroughConfig
from supatui.core.events import Event
from supatui.core.plan import Check, Plan
from supatui.core.prisma import templates
from supatui.core.prisma.recipes import choose_recipe
from supatui.core.steps.base import Step
from supatui.core.steps.project import ProjectStep
from supatui.core.walkthrough import Walkthrough

PRISMA_INIT_CONFIG = """import "dotenv/config";
import { defineConfig, env } from "prisma/config";
export default defineConfig({ schema: "prisma/schema.prisma", datasource: { url: env("DATABASE_URL") } });
"""


def interrupted_prisma_init(d: Path) -> None:
    """Packages installed, then `prisma init` killed after prisma/ and prisma7.config.ts, before .gitignore."""
    recipe = choose_recipe(d, 7)
    deps = {name: "^7.0.0" for name in recipe.packages}
    dev = {name: "^7.0.0" for name in recipe.dev_packages}
    (d / "package.json").write_text(json.dumps({"name": "p", "dependencies": deps, "devDependencies": dev}))
    for name in (*recipe.packages, *recipe.dev_packages):
        pkg = d / "node_modules" / name
        pkg.mkdir(parents=True)
        (pkg / "package.json").write_text(json.dumps({"name": name, "version": "7.1.0"}))
    (d / "prisma").mkdir()
    (d / "prisma" / "schema.prisma").write_text(templates.SCHEMA7_HEAD)
    (d / "prisma7.config.ts").write_text(PRISMA_INIT_CONFIG)


def test_interrupted_prisma_init_is_not_done_and_a_rerun_repairs_it(tmp_path: Path) -> None:
    interrupted_prisma_init(tmp_path)
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path, prisma_major=7))
    failing = [c.name for c in ProjectStep().verify(ctx) if not c.ok]
    assert failing == ["Prisma config", ".gitignore keeps .env out of git"], failing
    assert not ProjectStep().detect(ctx)
    events: list[Event] = []
    step = ProjectStep()
    step._prisma7_files(step_workspace(ctx), ctx, events.append)  # what the rerun does once packages are there
    assert all(c.ok for c in ProjectStep().verify(ctx)), ProjectStep().verify(ctx)
    assert not (tmp_path / "prisma7.config.ts").exists() and (tmp_path / "prisma7.config.ts.bak").exists()
    assert ".env" in (tmp_path / ".gitignore").read_text().split()


def step_workspace(ctx: StepContext):  # type: ignore[no-untyped-def]
    from supatui.core.prisma.workspace import workspace

    return workspace(ctx)


class LooksDone(Step[None]):
    """A step whose checks pass (a half-written client that happens to have its files)."""

    id = "client"
    title = "looks done"
    why = ""
    ran = 0

    def decide(self, ctx: StepContext) -> None:
        return None

    def plan_for(self, ctx: StepContext, decision: None) -> Plan:
        return Plan(self.id)

    def run_for(self, ctx: StepContext, emit: object, decision: None) -> None:
        LooksDone.ran += 1

    def verify(self, ctx: StepContext, result: object = None) -> list[Check]:
        return [Check("files", True)]

    def is_done(self, ctx: StepContext) -> bool:
        return True


def test_a_failed_cancelled_or_killed_step_runs_again(tmp_path: Path) -> None:
    ctx = StepContext(WalkthroughConfig(project_dir=tmp_path))
    walk = Walkthrough(ctx, emit=lambda e: None, steps=[LooksDone()])
    for status in ("failed", "cancelled", "running"):  # "running": the process was killed mid-step
        saved_state.mark_step(tmp_path, "client", status)
        before = LooksDone.ran
        outcome = walk.run_step("client")
        assert outcome.status == "done" and LooksDone.ran == before + 1, status
    before = LooksDone.ran
    assert walk.run_step("client").status == "skipped" and LooksDone.ran == before  # done stays done
