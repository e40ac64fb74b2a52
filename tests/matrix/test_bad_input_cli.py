"""Bad input through the real CLI: one clear line, the right exit code, no traceback, nothing lost.

The table is tests/matrix/cases.py; the cases that need timing (Ctrl-C during npm install, the
sandbox stopped mid-run) and a real npm install into an existing project are separate tests below.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from supatui.sandbox import Sandbox
from tests.matrix.cases import CASES, SETUPS, Case, setup_common, setup_existing_project
from tests.matrix.clihelp import (
    assert_files_kept,
    assert_one_clear_line,
    child_env,
    closed_port,
    interrupt_group,
    run_cli,
    snapshot_files,
    start_cli,
)
from tests.matrix.conftest import PrivateHome


def test_matrix_is_big_enough() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    print(f"\nbad-input matrix: {len(CASES)} CLI table cases (+3 timed CLI cases below)")
    assert len(CASES) >= 40


def _fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(values) if "{" in text else text


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, workspace: Path, tool_bins: dict[str, Path], request: pytest.FixtureRequest) -> None:
    setup_common(workspace)
    if case.setup:
        SETUPS[case.setup](workspace)
    values = {"ref": "abcdefghijklmnopqrst", "dir": str(workspace / "proj"), "file": str(workspace / "afile"),
              "closed": str(closed_port()), "ws": str(workspace), **{k: str(v) for k, v in tool_bins.items()}}
    if case.sandbox:
        info: Any = request.getfixturevalue("sandbox")
        values.update(sbx_ref=info.ref, sbx_port=str(info.session_port))
        isolation = {}  # the session's SUPATUI_HOME and keyring: the sandbox's password is stored there
    else:
        isolation = {"SUPATUI_HOME": str(workspace.parent / "home"),
                     "SUPATUI_TEST_KEYRING": str(workspace.parent / "keyring.json")}
    env = child_env(isolation, **{k: (_fill(v, values) if v is not None else None) for k, v in case.env.items()})
    argv = [_fill(arg, values) for arg in case.argv]
    before = snapshot_files(workspace)

    result = run_cli(argv, cwd=workspace, env=env, timeout=case.timeout)

    assert result.returncode == case.code, f"expected exit {case.code}\n{result.describe()}"
    assert_one_clear_line(result, case.expect)
    assert "bug in supatui" not in result.stderr, f"the environment or the input is not a bug\n{result.describe()}"
    for secret in case.forbid:
        assert secret not in result.stdout + result.stderr, f"{secret!r} was echoed\n{result.describe()}"
    assert_files_kept(before, workspace, context=result.describe())


# -- timed cases ---------------------------------------------------------------------------------

def _wait_for(proc: Any, lines: list[str], predicate: Callable[[str], bool], timeout: float) -> bool:
    """Read stdout lines until one satisfies ``predicate`` (kept in ``lines``)."""
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            return False
        lines.append(line)
        if predicate(line):
            return True
    return False


def _npm_install_running(line: str) -> bool:
    return "$ npm install" in line or "$ npm add" in line or ("$ npm" in line and "install" in line)


def test_ctrl_c_during_npm_install(workspace: Path, sandbox: Any) -> None:
    """SIGINT to the process group while step 2's npm install runs: exit 130, one line, folder resumable."""
    setup_common(workspace)
    project = workspace / "proj"
    before = snapshot_files(workspace)
    proc = start_cli(["run", "--yes", "--sandbox", "--from", "project", "--dir", str(project)], cwd=workspace,
                     env=child_env())
    lines: list[str] = []
    try:
        assert _wait_for(proc, lines, _npm_install_running, 120), "npm install never started:\n" + "".join(lines)
        time.sleep(1.5)  # well inside the install (it takes 10+ s)
        interrupt_group(proc)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    from tests.matrix.clihelp import CliResult

    result = CliResult(list(map(str, proc.args)), proc.returncode, "".join(lines) + stdout, stderr, 0)  # type: ignore[arg-type]
    assert result.returncode == 130, result.describe()
    line = assert_one_clear_line(result, r"cancel")
    assert "--from project" in line or "resume" in line.lower(), result.describe()
    state = json.loads((project / ".supatui" / "state.json").read_text())
    assert state["steps"]["project"]["status"] == "cancelled", state
    if (project / "package.json").exists():
        json.loads((project / "package.json").read_text())  # never half-written
    assert_files_kept(before, workspace, context=result.describe())
    _assert_no_child_left(project)


def _assert_no_child_left(project: Path) -> None:
    """No npm/node process still works in the project folder after the run ended."""
    time.sleep(0.5)
    for proc_dir in Path("/proc").iterdir():
        if not proc_dir.name.isdigit():
            continue
        try:
            cwd = os.readlink(proc_dir / "cwd")
        except OSError:
            continue
        assert not cwd.startswith(str(project)), f"process {proc_dir.name} still runs in {cwd}"


def test_sandbox_stopped_mid_run(workspace: Path, private_home: Callable[[str], PrivateHome],
                                 prisma_engine: str | None) -> None:
    """A sandbox of its own, stopped while step 2 installs: step 3 fails with one line saying to start it."""
    setup_common(workspace)
    home = private_home("stopped")
    project = workspace / "proj"
    env = child_env(home.env())
    if prisma_engine:
        env["PRISMA_SCHEMA_ENGINE_BINARY"] = prisma_engine
    proc = start_cli(["run", "--yes", "--sandbox", "--dir", str(project)], cwd=workspace, env=env)
    lines: list[str] = []
    try:
        assert _wait_for(proc, lines, _npm_install_running, 180), "npm install never started:\n" + "".join(lines)
        saved = os.environ.get("SUPATUI_TEST_KEYRING")
        os.environ["SUPATUI_TEST_KEYRING"] = str(home.keyring)
        try:
            assert Sandbox(home.home).stop(), "the sandbox was not running"
        finally:
            if saved is not None:
                os.environ["SUPATUI_TEST_KEYRING"] = saved
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    from tests.matrix.clihelp import CliResult

    result = CliResult(list(map(str, proc.args)), proc.returncode, "".join(lines) + stdout, stderr, 0)  # type: ignore[arg-type]
    assert result.returncode == 1, result.describe()
    assert_one_clear_line(result, r"sandbox start|start the sandbox|sandbox")


def test_existing_project_is_kept_or_backed_up(workspace: Path, sandbox: Any, prisma_engine: str | None) -> None:
    """A real npm install into a folder that has its own package.json and .env: the originals survive."""
    setup_common(workspace)
    setup_existing_project(workspace)
    project = workspace / "proj"
    original = (project / "package.json").read_bytes()
    before = snapshot_files(workspace)
    env = child_env(SUPATUI_PRISMA_PASSWORD="wrong-on-purpose-pw")
    if prisma_engine:
        env["PRISMA_SCHEMA_ENGINE_BINARY"] = prisma_engine
    result = run_cli(["run", "--yes", "--sandbox", "--from", "project", "--dir", str(project)], cwd=workspace,
                     env=env, timeout=300)
    # step 2 succeeds on the existing project; step 3 then fails on the wrong prisma password
    assert result.returncode == 1, result.describe()
    assert_one_clear_line(result, r"connection|password")
    package = json.loads((project / "package.json").read_text())
    assert package["name"] == "mine" and package["scripts"]["start"] == "node app.js", package
    assert "prisma" in package.get("devDependencies", {}), package
    backups = [p for p in project.iterdir() if p.name.startswith("package.json.") and p.read_bytes() == original]
    assert backups, f"package.json changed and no backup holds the original: {sorted(os.listdir(project))}"
    assert_files_kept(before, workspace, context=result.describe())
    assert "STRIPE_KEY=sk_test_keep_me" in (project / ".env").read_text()
