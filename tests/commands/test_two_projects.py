"""Issue 10 defects 1 and 7, as a user meets them: two projects on one database with no usable keyring.

`supatui run --yes --sandbox --dir A`, then `--dir B` (same role): B must not set a new password
on the role (that broke A and, on a real project, every deployment). With no keyring the password
lives in A/.env (0600, gitignored); B finds it there through projects.json and checks it with one
login. Then `npx tsx index.ts` in A still works. Real sandbox, npm and Prisma CLI. A starts empty (its
.env and .gitignore are the run's own); B is a copy of the session's prepared Prisma 7 project (step 2's
npm install, ~20 s, is not what B is about: its role step is).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import ROOT, require_tool
from tests.core.test_role_step import drop_role

pytestmark = pytest.mark.slow
pytest_plugins = ["tests.prisma_fixture"]

if TYPE_CHECKING:
    from tests.prisma_fixture import PreparedProject


def _supatui(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, stdin=subprocess.DEVNULL)


def test_second_project_keeps_the_first_working_without_a_keyring(sandbox: Any, prisma7_project: PreparedProject,
                                                                   tmp_path: Path) -> None:
    from tests.prisma_fixture import copy_project  # not at import time: pytest_plugins loads (rewrites) it first

    require_tool("npm")
    role = f"prisma_ab{uuid.uuid4().hex[:6]}"
    # No usable keyring at all (keyring's own "fail" backend); the sandbox is then reached like a real
    # project: its session-pooler URL plus SUPATUI_DB_PASSWORD.
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "SUPATUI_DB_PASSWORD": sandbox.postgres_password}
    env.pop("SUPATUI_PRISMA_PASSWORD", None)
    where = ["--url", f"postgresql://postgres.{sandbox.ref}@127.0.0.1:{sandbox.session_port}/postgres",
             "--transaction-port", str(sandbox.transaction_port), "--direct-host", "127.0.0.1",
             "--direct-port", str(sandbox.direct_port), "--role", role]
    a, b = tmp_path / "A", copy_project(prisma7_project.path, tmp_path / "B")
    try:
        first = _supatui("run", "--yes", *where, "--dir", str(a), env=env)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr
        assert "keyring" in first.stdout and "0600" in first.stdout  # the plan/log tells where the password went
        assert stat.S_IMODE((a / ".env").stat().st_mode) == 0o600
        assert ".env" in (a / ".gitignore").read_text().split()

        second = _supatui("run", "--yes", *where, "--dir", str(b), env=env)
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr
        assert "ALTER ROLE" not in second.stdout and "password is current" in second.stdout

        alone = subprocess.run(["npx", "tsx", "index.ts"], cwd=a, capture_output=True, text=True, timeout=180)
        assert alone.returncode == 0, alone.stderr  # A still logs in: its password was never changed
        assert "alice@prisma.io" in alone.stdout

        # A third folder whose password cannot be found (no registry entry reaches it): one line, nothing changed.
        registry = Path(os.environ["SUPATUI_HOME"]) / "projects.json"
        saved = registry.read_text()
        registry.unlink()
        try:
            third = _supatui("run", "--yes", *where, "--dir", str(tmp_path / "C"), env=env)
        finally:
            registry.write_text(saved)
        assert third.returncode != 0 and "--new-prisma-password" in third.stderr, third.stdout[-2000:] + third.stderr
        assert len(third.stderr.strip().splitlines()) == 1, third.stderr
        again = subprocess.run(["npx", "tsx", "index.ts"], cwd=b, capture_output=True, text=True, timeout=180)
        assert again.returncode == 0, again.stderr
    finally:
        drop_role(sandbox, role)
