"""A server crash (kill -9 of the postmaster) loses no acknowledged commit, and `start` right after it
reports success only once PostgreSQL really answers (issue 13, point 9: the stale ``postmaster.pid``)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psycopg
import pytest

from supatui.sandbox import Sandbox
from supatui.sandbox.cluster import pid_alive


@pytest.fixture
def box(session_dir: Path, request: pytest.FixtureRequest) -> Sandbox:
    home = session_dir / f"crash-{request.node.name[5:14]}"
    home.mkdir(mode=0o755)
    sandbox = Sandbox(home, ports="auto")
    yield sandbox
    sandbox.reset()


def _postmaster(box: Sandbox) -> int:
    data = box.status().data_dir
    return int((Path(data) / "postmaster.pid").read_text().split("\n", 1)[0])


def test_kill9_keeps_acknowledged_commits_and_start_waits_for_a_real_server(box: Sandbox) -> None:
    info = box.start()
    with psycopg.connect(info.direct_url, autocommit=True) as conn:
        conn.execute("create table crash_probe (n int)")
        for n in range(50):  # each one acknowledged by its own commit
            conn.execute("insert into crash_probe values (%s)", [n])
    pid = _postmaster(box)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.005)
    # postmaster.pid is stale now, and the dead server's backends may still hold its shared memory.
    again = box.start()
    assert box.status().components["postgres"]
    with psycopg.connect(again.direct_url, connect_timeout=2) as conn:  # answers at once, no retry needed
        assert conn.execute("select count(*), max(n) from crash_probe").fetchone() == (50, 49)
        settings = dict(conn.execute("select name, setting from pg_settings where name = any(%s)",
                                     [["synchronous_commit", "fsync"]]).fetchall())
    assert settings["synchronous_commit"] == "on"  # commits reach the OS before they are acknowledged
    assert _postmaster(box) != pid


def test_a_stale_pid_file_naming_another_live_process_does_not_count_as_running(box: Sandbox) -> None:
    """After a reboot the pid in postmaster.pid may belong to some other program: that is no server."""
    import subprocess

    info = box.start()
    box.stop()
    stranger = subprocess.Popen(["sleep", "60"])
    deadline = time.monotonic() + 5  # until it has exec'd: mid-exec its /proc cmdline reads empty, which is no proof
    cmdline = Path(f"/proc/{stranger.pid}/cmdline")  # (Linux; elsewhere the check does not read it)
    while cmdline.exists() and not cmdline.read_bytes().startswith(b"sleep") and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        pid_file = Path(box.status().data_dir) / "postmaster.pid"
        pid_file.write_text(f"{stranger.pid}\n{box.status().data_dir}\n0\n{info.direct_port}\n/tmp\n127.0.0.1\n"
                            "0 0\nready\n")
        assert not box.status().components["postgres"]
        again = box.start()
        with psycopg.connect(again.direct_url, connect_timeout=2) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        assert stranger.poll() is None  # left alone
    finally:
        stranger.kill()
        stranger.wait()
