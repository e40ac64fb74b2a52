"""A joined folder run again without --join on a laptop with no usable keyring: the attendee never saw the
seat's password, so supatui asks the room again instead of "Set SUPATUI_DB_PASSWORD"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from supatui.room.model import RoomInfo
from tests.conftest import ROOT

NO_KEYRING = "keyring.backends.fail.Keyring"


def _cli(project: Path, *words: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "SUPATUI_DB_PASSWORD"}
    env["PYTHON_KEYRING_BACKEND"] = NO_KEYRING
    return subprocess.run([sys.executable, "-m", "supatui", "--dir", str(project), *words], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False)


def test_rerun_without_keyring_asks_the_room_for_the_seats_password_again(room: RoomInfo, tmp_path: Path) -> None:
    seat = room.seats[1]
    project = tmp_path / "hello-prisma"
    joined = _cli(project, "--join", seat.join, "check", "--step", "role", "--json")
    assert "cannot read the database" not in joined.stdout, joined.stdout
    again = _cli(project, "check", "--step", "role", "--json")
    assert "cannot read the database" not in again.stdout, again.stdout + again.stderr
    assert "password came from the room again" in again.stderr
    run = _cli(project, "run", "--yes", "--from", "test")  # the context is built; step 6 then fails on its own
    assert "No password for the postgres role" not in run.stderr, run.stderr
    secret = seat.join_info.postgres_password
    for text in (joined.stdout, joined.stderr, again.stdout, again.stderr, run.stdout, run.stderr):
        assert secret not in text and seat.join.rsplit("/", 1)[1] not in text
    assert not any(secret in path.read_text(errors="replace") for path in project.rglob("*") if path.is_file())


def test_a_folder_pointed_at_another_project_since_is_not_given_the_seats_password(room: RoomInfo,
                                                                                      tmp_path: Path) -> None:
    project = tmp_path / "hello-prisma"
    assert _cli(project, "--join", room.seats[1].join, "check", "--step", "role").returncode in (0, 1)
    state = project / ".supatui" / "state.json"
    state.write_text(state.read_text().replace(room.seats[1].join_info.ref, "abcdefghijklmnopqrst"))
    again = _cli(project, "check", "--step", "role")
    assert "came from the room" not in again.stderr
    assert "cannot read the database" in again.stdout
