"""A reopened sandbox project keeps the choices it was made with (package manager, Prisma major, mode, role).

The sandbox branch of build_context started from a blank config, so a wizard reopened with --sandbox in a pnpm +
Prisma 6 + transaction-mode project showed npm, Prisma 7 and session mode, and Continue -> Run on step 3 rewrote .env
back to session mode (found by the session-6 QA pass). The target and the done steps are still not taken from the
saved state: a sandbox can be another one now, so the steps are checked again."""

from __future__ import annotations

from pathlib import Path

from supatui.core.connstr import ConnectionTarget
from supatui.core.context import WalkthroughConfig
from supatui.core.session import RunOptions, build_context, sandbox_context
from supatui.core.state import load_state, mark_step, remember_config

OLD = ConnectionTarget("abcdefghijklmnopqrst", "127.0.0.1", 1111, 2222)
NEW = ConnectionTarget("bcdefghijklmnopqrstu", "127.0.0.1", 3333, 4444)


class Endpoint:
    target = NEW
    postgres_password = "sandbox-admin-pw"


def _saved_project(tmp_path: Path) -> Path:
    remember_config(WalkthroughConfig(project_dir=tmp_path, target=OLD, mode="transaction", package_manager="pnpm",
                                      prisma_major=6, role="app_user", sample_row=False, sandbox=True))
    mark_step(tmp_path, "role", "done")
    return tmp_path


def test_sandbox_reopen_keeps_the_saved_choices(tmp_path: Path) -> None:
    project = _saved_project(tmp_path)
    session = build_context(RunOptions(project_dir=project, sandbox=True), sandbox=Endpoint(), need_target=False)
    config = session.ctx.config
    assert (config.package_manager, config.prisma_major, config.mode, config.role, config.sample_row) == (
        "pnpm", 6, "transaction", "app_user", False)
    assert config.target == NEW and session.done == set()  # the sandbox's own target; steps checked again
    assert load_state(project).config["package_manager"] == "pnpm"


def test_flags_still_win_over_the_saved_choices(tmp_path: Path) -> None:
    project = _saved_project(tmp_path)
    ctx = sandbox_context(Endpoint(), project, package_manager="yarn", mode="session", prisma_major=7)
    assert (ctx.config.package_manager, ctx.config.mode, ctx.config.prisma_major) == ("yarn", "session", 7)
