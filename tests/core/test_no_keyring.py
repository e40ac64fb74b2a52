"""Issue 10 defect 7: with no usable keyring the plan tells the truth and the password survives a restart.

It is kept in the project's .env (0600, gitignored before it is written), so a new process (the
role step's is-done check, `supatui run --from project`, step 3) finds it there.
"""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from supatui.core.connstr import parse_url
from supatui.core.context import Secrets, StepContext, WalkthroughConfig
from supatui.core.envfile import read_values
from supatui.core.steps.connection import ConnectionStep
from supatui.core.steps.role import RoleStep, resolve_prisma_password
from tests.core.test_role_step import drop_role


@pytest.fixture
def no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(before)


def _ctx(sandbox: Any, project: Path, role: str) -> StepContext:
    config = WalkthroughConfig(project_dir=project, target=sandbox.target, role=role)
    return StepContext(config, Secrets(admin_password=sandbox.postgres_password))


def test_password_lives_in_env_and_survives_a_restart(sandbox: Any, tmp_path: Path, no_keyring: None) -> None:
    role, project = f"prisma_k{uuid.uuid4().hex[:8]}", tmp_path / "proj"
    ctx = _ctx(sandbox, project, role)
    try:
        notes = " ".join(RoleStep().plan(ctx).notes)
        assert "stored in the OS keyring" not in notes and "no usable OS keyring" in notes and ".env" in notes
        RoleStep().run(ctx, lambda e: None)
        password = ctx.secrets.prisma_password
        assert password
        env = project / ".env"
        assert stat.S_IMODE(env.stat().st_mode) == 0o600
        assert parse_url(read_values(env)["DATABASE_URL"] or "").password == password
        assert ".env" in (project / ".gitignore").read_text().split()
        # A new process: nothing in memory, no keyring.
        fresh = _ctx(sandbox, project, role)
        assert RoleStep().detect(fresh), [c for c in RoleStep().verify(fresh) if not c.ok]
        assert resolve_prisma_password(fresh) == password
        ConnectionStep().run(fresh, lambda e: None)  # step 3 after the restart: finds it, connects
        assert all(c.ok for c in ConnectionStep().verify(fresh))
    finally:
        drop_role(sandbox, role)
