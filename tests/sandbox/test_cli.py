"""`supatui sandbox start|stop|status|reset` as a user runs them: a child process with its own SUPATUI_HOME.

These start their own sandboxes (≈0.6 s each), so there are only two: the life cycle, and a damaged data dir.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from supatui.core.errors import SupatuiError
from supatui.sandbox import Sandbox
from supatui.sandbox.model import JSON_KEYS


def cli(home: Path, *args: str, keyring: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SUPATUI_HOME=str(home), SUPATUI_SANDBOX_PORTS="auto")
    if keyring:
        env["PYTHON_KEYRING_BACKEND"] = keyring
    return subprocess.run([sys.executable, "-m", "supatui", "sandbox", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def home(session_dir: Path, request: pytest.FixtureRequest) -> Path:
    path = session_dir / f"cli-{request.node.name[5:12]}"
    path.mkdir(mode=0o755)
    yield path
    cli(path, "reset")


def test_life_cycle_without_an_os_keyring(home: Path) -> None:
    nokeyring = "keyring.backends.fail.Keyring"
    status = cli(home, "status", keyring=nokeyring)
    assert status.returncode == 0 and "not been created" in status.stdout

    started = cli(home, "start", "--json", keyring=nokeyring)
    assert started.returncode == 0, started.stderr
    info = json.loads(started.stdout)
    assert tuple(info) == JSON_KEYS
    assert len(info["ref"]) == 20 and info["ref"].isalpha() and info["ref"].islower()
    assert f"postgres.{info['ref']}:{info['postgres_password']}@" in info["session_url"]
    with psycopg.connect(info["session_url"]) as conn:
        assert conn.execute("select current_user::text").fetchone() == ("postgres",)
    password_file = home / "sandbox" / "postgres-password"
    assert password_file.read_text().strip() == info["postgres_password"]
    assert password_file.stat().st_mode & 0o777 == 0o600

    again = cli(home, "start", keyring=nokeyring)
    assert again.returncode == 0 and "already running" in again.stdout
    assert info["postgres_password"] not in again.stdout + again.stderr
    assert f"postgres.{info['ref']}:****@127.0.0.1:{info['session_port']}" in again.stdout
    if os.geteuid() == 0:
        assert "server user  supatui" in again.stdout

    status_json = json.loads(cli(home, "status", "--json", keyring=nokeyring).stdout)
    assert status_json["running"] is True and status_json["password_store"] == str(password_file)
    assert any("No usable OS keyring" in note for note in status_json["notes"])

    with psycopg.connect(info["transaction_url"], prepare_threshold=None) as conn:  # the router's pool holds server links
        assert conn.execute("select 1").fetchone() == (1,)
    stopped = cli(home, "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(info["session_url"], connect_timeout=2)
    twice = cli(home, "stop")
    assert twice.returncode == 0 and "not running" in twice.stdout
    assert "is stopped" in cli(home, "status", keyring=nokeyring).stdout

    restarted = cli(home, "start", "--json", keyring=nokeyring)
    assert restarted.returncode == 0, restarted.stderr
    warm = json.loads(restarted.stdout)
    assert warm == info  # same ref, ports and password after a restart
    with psycopg.connect(warm["transaction_url"], prepare_threshold=None) as conn:
        assert conn.execute("select 1").fetchone() == (1,)

    reset = cli(home, "reset")
    assert reset.returncode == 0 and "deleted" in reset.stdout
    assert not password_file.exists()
    assert "not been created" in cli(home, "status").stdout


def test_without_pgbouncer_then_damaged_data_dir_names_reset(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPATUI_PGBOUNCER", "none")  # as on a laptop without PgBouncer
    monkeypatch.setenv("PATH", "/nonexistent")  # nothing on PATH either: the router is the pooler
    box = Sandbox(home, ports="auto")
    info = box.start()
    assert info.transaction_pooling and set(box.status().components) == {"postgres", "router"}
    # real transaction mode (issue 13 item 4): a named statement lands on a server another client uses next
    with psycopg.connect(info.transaction_url, autocommit=True) as first, \
            psycopg.connect(info.transaction_url, autocommit=True) as second:
        assert first.execute("select 1", prepare=True).fetchone() == (1,)
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement, match='"_pg3_0" already exists'):
            second.execute("select 1", prepare=True)
    with psycopg.connect(info.session_url, autocommit=True) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    box.stop()
    (Path(box.status().data_dir) / "global" / "pg_control").unlink()
    broken = cli(home, "start")
    assert broken.returncode == 1
    assert "looks damaged" in broken.stderr and "supatui sandbox reset" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert not any(box.status().components.values())  # nothing left half-running
    assert cli(home, "reset").returncode == 0
    assert cli(home, "start").returncode == 0


def test_port_in_use(home: Path) -> None:
    box = Sandbox(home, ports="auto")
    info = box.start()
    box.stop()
    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", info.session_port))
        busy.listen()
        with pytest.raises(SupatuiError, match=f"session port {info.session_port} is already in use") as error:
            box.start()
        assert "supatui sandbox reset" in error.value.hint
        assert not any(box.status().components.values())
        result = cli(home, "start")
        assert result.returncode == 1
        assert f"port {info.session_port} is already in use" in result.stderr and "Traceback" not in result.stderr
    assert box.start() == info  # once the port is free again, the same sandbox comes back


def _free() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
