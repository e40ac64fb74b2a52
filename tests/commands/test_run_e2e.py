"""Issue 4's promise, as a new user sees it: `supatui run --yes --sandbox` takes a new folder to rows.

The folder holds only the user's .gitignore, so the same walkthrough also checks that the run's own
.gitignore lines cost no backup (a folder with nothing at all is walked by tests/commands/test_two_projects.py,
project A, and tests/matrix/test_leaks.py).

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


def test_new_folder_to_rows_backs_up_nothing_then_rerun_changes_nothing(sandbox: Any, prisma_engine: str | None,
                                                                         tmp_path: Path) -> None:
    """A folder with nothing but the user's .gitignore (one walkthrough for two promises, ~30 s each).

    Rows from one run. The role step (.env without a keyring), prisma init and step 2 each add lines to
    .gitignore: the user's lines stay first and whole, so no backup is needed (there were .bak, .bak.1 and
    .bak.2); nothing else is backed up. A second run skips every step and changes no file.
    """
    require_tool("npm")
    env = dict(os.environ)
    project = tmp_path / "hello-prisma"
    project.mkdir()
    (project / ".gitignore").write_text("my-notes.txt\n")

    first = _supatui("run", "--yes", "--sandbox", "--dir", str(project), env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    assert "alice@prisma.io" in first.stdout
    assert "Traceback" not in first.stderr
    for step in ("role", "project", "connection", "migrations", "client", "test"):
        assert f"━━ {step}:" in first.stdout
    backups = sorted(p.name for p in project.iterdir() if ".bak" in p.name)
    assert backups == [], backups
    assert (project / ".gitignore").read_text().startswith("my-notes.txt\n")

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
