"""A real room: seats isolated from each other, join codes, the service, status, reset, add, stop."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import psycopg
import pytest

from supatui.room.manager import Room
from supatui.room.model import RoomInfo
from tests.conftest import ROOT


def _seat(room: RoomInfo, number: int) -> dict[str, Any]:
    return room.seats[number - 1].to_json()


def _get(url: str, data: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=json.dumps(data).encode() if data is not None else None,
                                     method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _supatui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_every_seat_answers_on_all_three_ports(room: RoomInfo) -> None:
    assert room.transaction_pooling  # the router's own pool: no PgBouncer needed
    for number in (1, 2, 3):
        seat = _seat(room, number)
        ports = set()
        for key in ("session_url", "transaction_url", "direct_url"):
            with psycopg.connect(seat[key], prepare_threshold=None, connect_timeout=5) as conn:
                user, port = conn.execute("select current_user, current_setting('port')::int").fetchone()
                assert user == "postgres"
                ports.add(port)
        assert len(ports) == 1  # all three reach this seat's own cluster
    assert len({_seat(room, n)["ref"] for n in (1, 2, 3)}) == 3


def test_a_role_made_in_seat_1_does_not_exist_in_seat_2(room: RoomInfo) -> None:
    one, two = _seat(room, 1), _seat(room, 2)
    with psycopg.connect(one["session_url"], autocommit=True) as conn:
        conn.execute("drop role if exists isolation_probe")
        conn.execute("create role isolation_probe login password 'probe-pw-1'")
    try:
        with psycopg.connect(two["session_url"]) as conn:
            assert conn.execute("select 1 from pg_roles where rolname = 'isolation_probe'").fetchone() is None
        with psycopg.connect(one["session_url"]) as conn:
            assert conn.execute("select 1 from pg_roles where rolname = 'isolation_probe'").fetchone() is not None
    finally:
        with psycopg.connect(one["session_url"], autocommit=True) as conn:
            conn.execute("drop role if exists isolation_probe")


def test_seat_1s_password_does_not_open_seat_2(room: RoomInfo) -> None:
    one, two = _seat(room, 1), _seat(room, 2)
    assert one["postgres_password"] != two["postgres_password"]
    for key in ("session_url", "transaction_url", "direct_url"):
        crossed = two[key].replace(two["postgres_password"], one["postgres_password"])
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(crossed, connect_timeout=5)


def test_an_unknown_ref_gets_supavisors_error(room: RoomInfo) -> None:
    seat = _seat(room, 1)
    wrong = seat["session_url"].replace(seat["ref"], "z" * 20)
    # Supavisor's current words (issue 13: supabase/supavisor lib/supavisor/errors/*.ex)
    with pytest.raises(psycopg.OperationalError, match=r"\(ENOTFOUND\) tenant/user postgres\.z{20} not found"):
        psycopg.connect(wrong, connect_timeout=5)


def test_join_code_gives_the_seat_and_wrong_codes_are_refused(room: RoomInfo) -> None:
    seat = _seat(room, 2)
    host_port, code = seat["join"].rsplit("/", 1)
    status, data = _get(f"http://{host_port}/join/{code.lower().replace('-', '')}")  # typed sloppily: still works
    assert status == 200
    assert (data["seat"], data["ref"], data["postgres_password"]) == (2, seat["ref"], seat["postgres_password"])
    assert data["session_port"] == room.session_port and data["direct_port"] == room.seats[1].join_info.direct_port
    status, data = _get(f"http://{host_port}/join/AAAA-AAAA")
    assert status == 404 and "postgres_password" not in data
    assert _get(f"http://{host_port}/nothing")[0] == 404


def test_status_messages_are_checked(room: RoomInfo) -> None:
    host_port, code = _seat(room, 3)["join"].rsplit("/", 1)
    assert _get(f"http://{host_port}/status/{code}", {"step": "nope", "status": "done"})[0] == 400
    assert _get(f"http://{host_port}/status/{code}", {"step": "project", "status": "exploded"})[0] == 400
    assert _get(f"http://{host_port}/join/{code}", {"step": "project", "status": "done"})[0] == 405


def test_room_start_json_has_the_documented_keys(room: RoomInfo, room_manager: Room) -> None:
    result = _supatui("room", "start", "--json")  # the room is running: start shows it
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"host", "session_port", "transaction_port", "seats"} <= set(data)
    assert len(data["seats"]) == 3
    assert set(data["seats"][0]) == {"seat", "ref", "postgres_password", "session_url", "transaction_url",
                                     "direct_url", "join"}
    human = _supatui("room", "start")
    assert human.returncode == 0 and "already running" in human.stdout
    for seat in data["seats"]:  # the human output never shows a password or a join code
        assert seat["postgres_password"] not in human.stdout
        assert seat["join"].rsplit("/", 1)[1] not in human.stdout


def test_bad_input_is_one_line(room: RoomInfo) -> None:
    for argv, words in ((["room", "reset", "99"], "no seat 99"), (["room", "start", "--seats", "5"], "already has 3"),
                        (["--join", "not a code", "run", "--yes"], "not a join code"),
                        (["--join", "127.0.0.1:1/AAAA-AAAA", "run", "--yes"], "Cannot reach the room"),
                        (["room", "start", "--listen", "wifi"], "not an IP address")):
        result = _supatui(*argv)
        assert result.returncode != 0
        assert words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_add_a_seat_to_the_running_room(room: RoomInfo, room_manager: Room) -> None:
    info = room_manager.add(1)
    try:
        assert len(info.seats) == 4
        seat = info.seats[3].to_json()
        with psycopg.connect(seat["session_url"], connect_timeout=5) as conn:  # the router took the new tenant
            assert conn.execute("select current_user").fetchone() == ("postgres",)
        status, data = _get(f"http://{seat['join'].rsplit('/', 1)[0]}/join/{seat['join'].rsplit('/', 1)[1]}")
        assert status == 200 and data["seat"] == 4  # the service took the new code
    finally:
        _drop_last_seat(room_manager)


def _drop_last_seat(room: Room) -> None:
    """Test helper: put the session room back to three seats."""
    from pathlib import Path

    from supatui.room.seats import SeatCluster
    from supatui.sandbox.runas import RunAs

    state = room.state()
    assert state is not None
    seat = state.seats.pop()
    SeatCluster(seat, Path(), RunAs("", 0, 0, False)).remove()
    room._reload(state)


def test_a_room_on_another_address_forwards_each_direct_port(tmp_path: Any) -> None:
    """Clusters listen on 127.0.0.1 only; on any other address (a LAN's, here 127.0.0.2) the room
    service forwards each seat's direct port, and the router listens there too."""
    other = Room(tmp_path / "lan-room", ports="auto")
    try:
        info = other.start(2, "127.0.0.2")
        seats = [seat.to_json() for seat in info.seats]
        for seat in seats:
            assert "@127.0.0.2:" in seat["direct_url"]
            ports = set()
            for key in ("session_url", "transaction_url", "direct_url"):
                with psycopg.connect(seat[key], prepare_threshold=None, connect_timeout=5) as conn:
                    ports.add(conn.execute("select current_setting('port')").fetchone())
            assert len(ports) == 1
        crossed = seats[1]["direct_url"].replace(seats[1]["postgres_password"], seats[0]["postgres_password"])
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(crossed, connect_timeout=5)
        # Guessing codes from the room's network: after 20 wrong ones in a minute, even a right one waits.
        host_port, code = seats[0]["join"].rsplit("/", 1)
        assert [_get(f"http://{host_port}/join/ZZZZ-{n:04d}")[0] for n in range(20)] == [404] * 20
        assert _get(f"http://{host_port}/join/{code}")[0] == 429
    finally:
        other.stop(delete=True)


def test_join_gives_the_wizards_launch_path_the_seats_inputs(room: RoomInfo, tmp_path: Any) -> None:
    """`supatui --join CODE` then the wizard: the same inputs as typed ref, host, ports and password."""
    import argparse

    from supatui.core import secrets
    from supatui.room.join import join_from_args
    from supatui.ui.launch import build_context

    seat = room.seats[2].join_info
    args = argparse.Namespace(join=room.seats[2].join, share=False, dir=tmp_path / "wizard", sandbox=False)
    join_from_args(args)
    ctx, done = build_context(args)
    assert ctx.config.target == seat.target and ctx.config.sandbox is False
    assert done == set()
    assert secrets.get_password(seat.ref, "postgres") == seat.postgres_password  # the test keyring holds it
    assert not (tmp_path / "wizard" / ".supatui" / "room.json").read_text().count(seat.postgres_password)
    assert oct((tmp_path / "wizard" / ".supatui" / "room.json").stat().st_mode & 0o777) == "0o600"


def test_secrets_stay_in_the_0600_file(room: RoomInfo, room_manager: Room) -> None:
    secrets_file = room_manager.dir / "secrets.json"
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    public = "".join(path.read_text(errors="replace") for path in room_manager.dir.glob("*.json*")
                     if path.name != "secrets.json")
    public += "".join(path.read_text(errors="replace") for path in room_manager.dir.glob("*.log"))
    for seat in room.seats:
        assert seat.join_info.postgres_password not in public
        assert seat.join.rsplit("/", 1)[1] not in public


def test_each_seats_transaction_port_pools_by_transaction(room: RoomInfo) -> None:
    """Real transaction mode on every machine (issue 13 item 4): the router's pool, per seat."""
    seat = _seat(room, 2)
    with psycopg.connect(seat["transaction_url"], autocommit=True, connect_timeout=5) as first, \
            psycopg.connect(seat["transaction_url"], autocommit=True, connect_timeout=5) as second:
        assert first.execute("select 1", prepare=True).fetchone() == (1,)
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement, match='"_pg3_0" already exists'):
            second.execute("select 1", prepare=True)


def test_start_with_another_address_on_the_running_room_is_refused(room: RoomInfo) -> None:
    """The running room stays where it is: no "already running" with the old address under a new --listen."""
    result = _supatui("room", "start", "--listen", "127.0.0.2")
    assert result.returncode == 2, result.stdout
    assert "made for 127.0.0.1, not 127.0.0.2" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_room_on_an_address_keeps_it_without_listen_again(tmp_path: Any) -> None:
    """`room start` alone shows (or resumes) a LAN room on its own address: --listen is not asked again."""
    import os

    env = {**os.environ, "SUPATUI_HOME": str(tmp_path / "home")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "supatui", "room", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL, env=env)

    try:
        first = cli("start", "--seats", "1", "--listen", "127.0.0.2", "--json")
        assert first.returncode == 0, first.stderr
        again = cli("start")
        assert again.returncode == 0 and "already running" in again.stdout, again.stderr
        assert "pooler host   127.0.0.2" in again.stdout
        assert cli("stop").returncode == 0
        resumed = cli("start", "--json")
        assert resumed.returncode == 0, resumed.stderr
        assert json.loads(resumed.stdout)["host"] == "127.0.0.2"
    finally:
        cli("stop", "--delete")


def test_a_wrong_code_is_shown_back_so_it_can_be_compared_with_the_card(room: RoomInfo) -> None:
    host_port = room.seats[0].join.rsplit("/", 1)[0]
    result = _supatui("--join", f"{host_port}/ZZZZ-ZZZ9", "check")
    assert result.returncode == 2
    assert "does not know the code ZZZZ-ZZZ9" in result.stderr, result.stderr
