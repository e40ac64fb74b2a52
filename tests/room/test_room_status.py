"""`supatui room status` as the instructor reads it: a seat that finished the guide reads as finished.

The attendee does the guide by hand (learn mode): the guide's SQL, a prisma login through the
router, a migration and a row in the database; project and client reported by their supatui."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import psycopg

from supatui.core.rolesql import guide_statements
from supatui.room.manager import Room
from supatui.room.model import RoomInfo
from tests.conftest import ROOT

SEAT = 3


def _report(join: str, step: str) -> None:
    host_port, code = join.rsplit("/", 1)
    request = urllib.request.Request(f"http://{host_port}/status/{code}", method="POST",
                                     data=json.dumps({"step": step, "status": "done"}).encode())
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200


def _finish_the_guide_by_hand(room: RoomInfo) -> None:
    info = room.seats[SEAT - 1]
    target, password = info.join_info.target, "prisma-pw-1"
    with psycopg.connect(target.url("postgres", info.join_info.postgres_password, "session"), autocommit=True,
                         connect_timeout=5) as conn:
        for statement in guide_statements("prisma", password, exists=False):
            conn.execute(statement.query)
    with psycopg.connect(target.url("prisma", password, "session"), autocommit=True, connect_timeout=5) as conn:
        conn.execute("create table public._prisma_migrations (id text primary key, migration_name text, "
                     "started_at timestamptz default now(), finished_at timestamptz, rolled_back_at timestamptz)")
        conn.execute("insert into public._prisma_migrations values ('1', '0_init', now(), now(), null)")
        conn.execute('create table public."User" (id serial primary key, email text)')
        conn.execute("""insert into public."User" (email) values ('alice@prisma.io')""")
    for step in ("project", "client", "test"):  # what the attendee's supatui --share sends
        _report(info.join, step)


def test_a_seat_that_finished_all_six_steps_reads_as_finished(room: RoomInfo, room_manager: Room) -> None:
    try:
        _finish_the_guide_by_hand(room)
        result = subprocess.run([sys.executable, "-m", "supatui", "room", "status"], cwd=ROOT,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(f"{SEAT} "))
        assert line.count("✓") == 6, result.stdout
        assert line.split()[-1] == "finished", result.stdout  # as the board's "now" column says; not "test"
        others = [line for line in result.stdout.splitlines() if line.strip()[:1] in ("1", "2")]
        assert all("finished" not in line for line in others), result.stdout
        seats = json.loads(subprocess.run([sys.executable, "-m", "supatui", "room", "status", "--json"], cwd=ROOT,
                                          capture_output=True, text=True, timeout=60, check=True).stdout)["seats"]
        assert {seat["seat"]: seat["now"] for seat in seats}[SEAT] == "finished"
    finally:
        room_manager.reset(SEAT)  # seat 3 is the untouched seat of the walkthrough tests
