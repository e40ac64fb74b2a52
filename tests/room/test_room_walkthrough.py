"""Issue 14's promise: two attendees join seats and walk the guide at once; the room sees it.

Real room, real npm and Prisma CLI (the offline engine only when the native one cannot be
downloaded), the CLI in child processes with the join string as their only input, the board
through Pilot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from supatui.room.manager import Room
from supatui.room.model import STEPS, RoomInfo
from tests.conftest import ROOT, require_tool

if TYPE_CHECKING:
    from tests.prisma_fixture import PreparedProject

pytestmark = pytest.mark.slow
pytest_plugins = ["tests.prisma_fixture"]


def _status(*extra: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "supatui", "room", "status", "--json", *extra], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return {seat["seat"]: seat for seat in json.loads(result.stdout)["seats"]}


@pytest.fixture(scope="module")
def walked(room: RoomInfo, prisma7_project: PreparedProject, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Any]:
    """Seats 1 and 2 walked through `supatui --join … --share run --yes` at the same time.

    The attendees installed the packages before the workshop (the suite's prepared Prisma 7
    project, copied): CI time goes to the room, not to npm; benchmarks/room_load.py runs whole
    walkthroughs from empty folders."""
    from tests.prisma_fixture import copy_project

    require_tool("npm")
    base = tmp_path_factory.mktemp("attendees")
    procs = {}
    for number in (1, 2):
        project = copy_project(prisma7_project.path, base / f"laptop-{number}" / "hello-prisma")
        argv = [sys.executable, "-m", "supatui", "--join", room.seats[number - 1].join, "--share",
                "--dir", str(project), "run", "--yes"]
        env = {key: value for key, value in os.environ.items() if key not in ("SUPATUI_DB_PASSWORD",)}
        procs[number] = (project, subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                                   stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL))
    results = {}
    for number, (project, proc) in procs.items():
        out, err = proc.communicate(timeout=900)
        results[number] = (project, proc.returncode, out, err)
    return results


def test_two_walkthroughs_at_once_end_with_rows(walked: dict[int, Any], room: RoomInfo) -> None:
    for number, (project, code, out, err) in walked.items():
        assert code == 0, f"seat {number}: {out[-3000:]}\n{err}"
        assert "alice@prisma.io" in out
        assert f"joined seat {number}" in err
        password = room.seats[number - 1].join_info.postgres_password
        assert password not in out + err  # the join never prints the seat's password
        assert room.seats[number - 1].join_info.ref in (project / ".env").read_text()


def test_room_status_shows_their_steps_done_and_the_untouched_seat_not(walked: dict[int, Any]) -> None:
    seats = _status()
    for number in (1, 2):
        assert seats[number]["steps"] == {step: True for step in STEPS}, seats[number]
        assert seats[number]["failure"] is None
        assert seats[number]["current"] == "test"
    assert seats[3]["steps"] == {step: False for step in STEPS}
    assert seats[3]["seen_at"] is None


async def test_the_board_renders_those_seats(walked: dict[int, Any], room_manager: Room) -> None:
    from textual.widgets import DataTable

    from supatui.ui.board.app import BoardApp, room_source

    app = BoardApp(room_source(room_manager), interval=60)
    async with app.run_test(size=(160, 30)) as pilot:  # wide: a column per step
        for _ in range(200):
            await pilot.pause(0.05)
            if app.loaded:
                break
        await pilot.pause()
        table = app.query_one("#seats", DataTable)
        assert {str(key.value) for key in table.rows} >= {"1", "2", "3"}
        for number in ("1", "2"):
            assert [table.get_cell(number, step) for step in STEPS] == ["✓"] * 6
            assert table.get_cell(number, "now") == "finished" and table.get_cell(number, "state") == "ok"
        assert [table.get_cell("3", step) for step in STEPS] == ["·"] * 6
        banner = str(app.query_one("#banner").render())
        assert "2 done" in banner and "test 2/" in banner
        await pilot.press("f")  # stuck only: nobody is
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("f", "f")  # done only
        await pilot.pause()
        assert table.row_count == 2


def test_reset_gives_a_seat_a_fresh_database_and_keeps_its_credentials(walked: dict[int, Any],
                                                                        room_manager: Room, room: RoomInfo) -> None:
    import psycopg

    room_manager.reset(2)
    seats = _status()
    assert seats[2]["steps"] == {step: False for step in STEPS}
    assert seats[1]["steps"]["test"] is True
    with psycopg.connect(room.seats[1].to_json()["session_url"]) as conn:  # same password still opens it
        assert conn.execute("select to_regclass('public._prisma_migrations')").fetchone() == (None,)


def test_stop_and_start_keep_the_seats(walked: dict[int, Any], room_manager: Room, room: RoomInfo) -> None:
    import psycopg

    assert room_manager.stop()
    assert not room_manager.running()
    assert _status()[1]["running"] is False
    again = room_manager.start(3)
    assert [seat.join for seat in again.seats] == [seat.join for seat in room.seats]
    with psycopg.connect(again.seats[0].to_json()["session_url"]) as conn:
        assert conn.execute('select count(*) from public."User"').fetchone()[0] >= 1
