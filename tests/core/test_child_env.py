"""Issue 10 defect 4: no child process gets a database password in its environment.

The user's shell holds SUPATUI_DB_PASSWORD / SUPATUI_PRISMA_PASSWORD (the headless way in),
maybe PGPASSWORD and a DATABASE_URL; children used to inherit all of it, including npm's
third-party install scripts and the user's index.ts. Here real children (node, and npm running a
package script through sh) are started by the runner, and /proc/<pid>/environ of every process in
their session is read while they run.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from supatui.core.redact import register_secret
from supatui.core.runner import CancelToken, child_env, run_command
from tests.conftest import require_tool

CANARIES = {
    "SUPATUI_DB_PASSWORD": "KanariDb4x",
    "SUPATUI_PRISMA_PASSWORD": "KanariPrisma4x",
    "PGPASSWORD": "KanariPg4x",
    "DATABASE_URL": "postgresql://prisma.abcdefghijklmnopqrst:KanariUrl4x@127.0.0.1:5432/postgres",
    "DIRECT_URL": "postgresql://prisma.abcdefghijklmnopqrst:KanariUrl4x@127.0.0.1:5432/postgres",
    "MY_APP_TOKEN_COPY": "prefix-KanariKnown4x-suffix",  # any variable holding a secret supatui knows
}
CORES = ("KanariDb4x", "KanariPrisma4x", "KanariPg4x", "KanariUrl4x", "KanariKnown4x")


@pytest.fixture
def secret_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SUPATUI_HARMLESS_MARK", "still-here")  # positive control: ordinary variables pass
    register_secret("KanariKnown4x")


def session_environs(leader: int) -> dict[int, bytes]:
    """environ of every live process whose session is ``leader`` (the runner starts a new session)."""
    found: dict[int, bytes] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) != leader:  # field 6 of stat: session id
                continue
            found[int(entry.name)] = Path(f"/proc/{entry.name}/environ").read_bytes()
        except (OSError, ValueError):
            continue
    return found


def run_and_sample(argv: list[str], cwd: Path, seconds: float) -> dict[int, bytes]:
    token = CancelToken()
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(run_command(argv, cwd=cwd, cancel=token).returncode))
    thread.start()
    seen: dict[int, bytes] = {}
    deadline = time.monotonic() + seconds + 30
    while thread.is_alive() and time.monotonic() < deadline:
        for proc in list(token._procs):
            seen.update(session_environs(proc.pid))
        time.sleep(0.05)
    thread.join(timeout=60)
    assert result == [0], f"{argv} failed: {result}"
    return seen


def assert_clean(seen: dict[int, bytes], at_least: int) -> None:
    assert len(seen) >= at_least, f"sampled only {len(seen)} processes: the test saw nothing"
    for pid, environ in seen.items():
        assert b"SUPATUI_HARMLESS_MARK=still-here" in environ, f"pid {pid}: not the child's real environment"
        leaked = [core for core in CORES if core.encode() in environ]
        assert not leaked, f"pid {pid} has {leaked} in /proc/{pid}/environ"


def test_node_child_gets_no_password(secret_shell: None, tmp_path: Path) -> None:
    node = require_tool("node")
    seen = run_and_sample([node, "-e", "setTimeout(() => {}, 1500)"], tmp_path, 1.5)
    assert_clean(seen, 1)


def test_npm_script_and_its_shell_get_no_password(secret_shell: None, tmp_path: Path) -> None:
    """npm runs package scripts (as it runs install scripts) through sh: npm, sh and node are all checked."""
    npm = require_tool("npm")
    (tmp_path / "package.json").write_text(
        '{"name": "envcheck", "version": "1.0.0", "scripts": {"wait": "node -e \\"setTimeout(() => {}, 2500)\\""}}\n')
    seen = run_and_sample([npm, "run", "wait"], tmp_path, 2.5)
    assert_clean(seen, 2)


def test_child_env_by_name_and_by_value(secret_shell: None) -> None:
    env = child_env({"NPM_CONFIG_REGISTRY": "http://127.0.0.1:1/"})
    assert not set(CANARIES) & set(env)
    assert env["SUPATUI_HARMLESS_MARK"] == "still-here" and env["NPM_CONFIG_REGISTRY"] == "http://127.0.0.1:1/"
