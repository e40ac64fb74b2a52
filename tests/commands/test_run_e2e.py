"""Issue 4's promise, as a new user sees it: `supatui run --yes --sandbox` takes an empty folder to rows.

Real sandbox, real npm, real Prisma CLI (the offline engine stands in for the native one only when
it cannot be downloaded), the CLI in a child process.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, require_tool

pytestmark = pytest.mark.slow
pytest_plugins = ["tests.prisma_fixture"]


def _supatui(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, stdin=subprocess.DEVNULL)


def _tree_digest(project: Path) -> dict[str, str]:
    skip = {"node_modules", "supatui-transcript.md", "supatui-replay.sh"}
    digests = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if path.is_file() and not (set(rel.parts) & skip):
            digests[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def test_empty_folder_to_rows_then_rerun_changes_nothing(sandbox: Any, prisma_engine: str | None,
                                                          tmp_path: Path) -> None:
    require_tool("npm")
    env = dict(os.environ)
    project = tmp_path / "hello-prisma"

    first = _supatui("run", "--yes", "--sandbox", "--dir", str(project), env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    assert "alice@prisma.io" in first.stdout
    assert "Traceback" not in first.stderr
    for step in ("role", "project", "connection", "migrations", "client", "test"):
        assert f"━━ {step}:" in first.stdout

    # The project runs on its own, without supatui.
    alone = subprocess.run(["npx", "tsx", "index.ts"], cwd=project, capture_output=True, text=True, timeout=120)
    assert alone.returncode == 0, alone.stderr
    assert "alice@prisma.io" in alone.stdout

    before = _tree_digest(project)
    second = _supatui("run", "--yes", "--sandbox", "--dir", str(project), "--json", env=env)
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout.strip().splitlines()[-1])
    assert summary["ok"] is True
    assert set(summary["steps"].values()) == {"skipped"}
    assert _tree_digest(project) == before


def test_one_run_in_a_folder_with_a_gitignore_backs_it_up_once(sandbox: Any, prisma_engine: str | None,
                                                                 tmp_path: Path) -> None:
    """The role step (.env without a keyring), prisma init and step 2 each add lines to .gitignore: the user's lines
    stay first and whole, so no backup is needed (there were .bak, .bak.1 and .bak.2); nothing else is backed up."""
    require_tool("npm")
    project = tmp_path / "mine"
    project.mkdir()
    (project / ".gitignore").write_text("my-notes.txt\n")
    done = _supatui("run", "--yes", "--sandbox", "--dir", str(project), env=dict(os.environ))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    backups = sorted(p.name for p in project.iterdir() if ".bak" in p.name)
    assert backups == [], backups
    assert (project / ".gitignore").read_text().startswith("my-notes.txt\n")
