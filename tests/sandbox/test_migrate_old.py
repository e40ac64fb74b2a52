"""A sandbox made by an older supatui, which ran a PgBouncer behind the transaction port, started with today's code.

The old layout (git log -S pgbouncer_port, before e384a4a and d544272): state.json with ``pgbouncer_port`` and
``pgbouncer_pid``, ``cluster/pgbouncer/`` holding pgbouncer.ini, userlist.txt and pgbouncer.pid, and a router.json
whose tenant sends ``transaction`` to PgBouncer's Unix socket (no ``pool``). Today the router pools by itself: the
files are written here as the old version wrote them, and starting must serve the transaction port from the
router's own pool with no PgBouncer on the machine, whatever the old files say.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from supatui.sandbox import Sandbox, SandboxInfo, ports
from supatui.sandbox.cluster import socket_dir
from supatui.sandbox.model import State


@pytest.fixture
def box(session_dir: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.setenv("SUPATUI_PGBOUNCER", "none")  # no PgBouncer on this machine any more
    home = session_dir / f"old-{request.node.name[5:16]}"
    home.mkdir(mode=0o755)
    sandbox = Sandbox(home, ports="auto")
    yield sandbox
    sandbox.reset()


def _make_old(sandbox: Sandbox, pgbouncer_pid: int) -> State:
    """Rewrite a stopped or running sandbox's files as the version with a PgBouncer left them."""
    state = State.load(sandbox.state_path)
    assert state is not None
    raw = json.loads(sandbox.state_path.read_text())
    raw.update(pgbouncer_port=ports.free_port(), pgbouncer_pid=pgbouncer_pid)
    sandbox.state_path.write_text(json.dumps(raw, indent=2) + "\n")
    pg_port = state.pg_port or state.direct_port
    run_dir = socket_dir(Path(state.cluster_dir), pg_port)
    bouncer = Path(state.cluster_dir) / "pgbouncer"
    bouncer.mkdir(mode=0o700)
    (bouncer / "pgbouncer.ini").write_text(
        f"[databases]\n* = host={run_dir} port={pg_port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\n"
        f"listen_port = {raw['pgbouncer_port']}\nunix_socket_dir = {run_dir}\nauth_type = scram-sha-256\n"
        f"auth_file = {bouncer / 'userlist.txt'}\nauth_user = pgbouncer\npool_mode = transaction\n"
        f"pidfile = {bouncer / 'pgbouncer.pid'}\n")
    (bouncer / "userlist.txt").write_text('"pgbouncer" "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5"\n')
    (bouncer / "pgbouncer.pid").write_text(f"{pgbouncer_pid}\n")
    config = json.loads(sandbox.router_config.read_text())
    for tenant in config["tenants"].values():  # 2a15dbe's tenant: PgBouncer's socket, no pool of the router's own
        tenant.pop("pool", None)
        tenant["transaction"] = [str(run_dir), raw["pgbouncer_port"]]
    sandbox.router_config.write_text(json.dumps(config, indent=2) + "\n")
    loaded = State.load(sandbox.state_path)
    assert loaded is not None and loaded.pgbouncer_port
    return loaded


def _transaction_mode_works(info: SandboxInfo) -> None:
    """Real transaction pooling: a named statement lands on the server the next client is given."""
    with psycopg.connect(info.transaction_url, autocommit=True, connect_timeout=5) as first, \
            psycopg.connect(info.transaction_url, autocommit=True, connect_timeout=5) as second:
        assert first.execute("select 1", prepare=True).fetchone() == (1,)
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement, match='"_pg3_0" already exists'):
            second.execute("select 1", prepare=True)


def test_a_stopped_old_sandbox_starts_without_pgbouncer_and_spares_a_reused_pid(box: Sandbox) -> None:
    box.start()
    box.stop()
    # After a reboot the old PgBouncer is long gone and its pid belongs to some other program now.
    stranger = subprocess.Popen(["sleep", "120"])
    try:
        _make_old(box, stranger.pid)
        info = box.start()
        _transaction_mode_works(info)
        state = State.load(box.state_path)
        assert state is not None and state.pgbouncer_port == 0 and state.pgbouncer_pid == 0
        assert "pool" in json.loads(box.router_config.read_text())["tenants"][info.ref]
        assert set(box.status().components) == {"postgres", "router"}
        box.stop()
        assert stranger.poll() is None, "starting or stopping the old sandbox killed another program (stale pid)"
        _transaction_mode_works(box.start())  # and it starts again as a sandbox of today's
    finally:
        stranger.kill()
        stranger.wait()


def test_a_running_old_sandbox_is_retargeted_to_the_router_pool(box: Sandbox) -> None:
    before = box.start()
    state = _make_old(box, 0)
    os.kill(state.router_pid, signal.SIGHUP)  # the running router now has the old config: PgBouncer's socket
    deadline = time.monotonic() + 10
    while True:  # until the reload is in: a transaction client finds no PgBouncer there
        try:
            psycopg.connect(before.transaction_url, connect_timeout=2).close()
        except psycopg.OperationalError as exc:
            assert "not running" in str(exc) or "PgBouncer" in str(exc) or "08006" in str(exc), exc
            break
        assert time.monotonic() < deadline, "the router did not take the old config"
        time.sleep(0.05)
    info = box.start()  # the router is up and the state names a PgBouncer: retarget the router at its own pool
    _transaction_mode_works(info)
    after = State.load(box.state_path)
    assert after is not None and after.pgbouncer_port == 0
    assert "pool" in json.loads(box.router_config.read_text())["tenants"][info.ref]
