"""supatui run from inside the project folder: the guide says `mkdir hello-prisma && cd hello-prisma`, and
supatui's own last line says `cd hello-prisma && npx tsx index.ts`. There, `supatui check` (or `run`, `room
hand`) must mean this folder, not a new ./hello-prisma/hello-prisma."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.matrix.clihelp import child_env


def _cli(cwd: Path, *words: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *words], cwd=cwd, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=child_env(), timeout=120, check=False)


def _guide_project(folder: Path) -> Path:
    """The guide's step 2 by hand: a folder called hello-prisma with a package.json (no supatui state)."""
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": "hello-prisma", "version": "1.0.0"}))
    return folder


def test_check_inside_the_guides_hello_prisma_checks_that_folder(tmp_path: Path) -> None:
    project = _guide_project(tmp_path / "hello-prisma")
    proc = _cli(project, "check", "--json", "--step", "project")
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["project"] == str(project)
    assert not (project / "hello-prisma").exists()


def test_check_inside_a_folder_supatui_made_under_another_name(tmp_path: Path) -> None:
    project = tmp_path / "my-app"
    (project / ".supatui").mkdir(parents=True)
    (project / ".supatui" / "state.json").write_text(json.dumps({"config": {}, "steps": {}}))
    proc = _cli(project, "check", "--json", "--step", "project")
    assert json.loads(proc.stdout)["project"] == str(project), proc.stderr
    assert not (project / "hello-prisma").exists()


def test_a_plain_folder_still_gets_its_own_hello_prisma(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a project")
    proc = _cli(tmp_path, "check", "--json", "--step", "project")
    assert json.loads(proc.stdout)["project"] == str(tmp_path / "hello-prisma"), proc.stderr


def test_an_existing_hello_prisma_below_wins_over_the_folder_itself(tmp_path: Path) -> None:
    parent = _guide_project(tmp_path / "hello-prisma")
    inner = _guide_project(parent / "hello-prisma")
    proc = _cli(parent, "check", "--json", "--step", "project")
    assert json.loads(proc.stdout)["project"] == str(inner), proc.stderr


def test_room_hand_in_a_folder_that_never_joined_creates_nothing(tmp_path: Path) -> None:
    proc = _cli(tmp_path, "room", "hand")
    assert proc.returncode == 2, proc.stderr
    assert "has not joined a room" in proc.stderr
    assert list(tmp_path.iterdir()) == []
