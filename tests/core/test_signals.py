"""Issue 10 defect 9: SIGTERM, SIGHUP or Ctrl-C end supatui *and* every child process group it started.

A real long child: ``npm`` on PATH is a node script (as npm is) that starts a grandchild node which
ignores SIGTERM, writes both pids, and waits forever. ``supatui run`` reaches it in step 2
(``npm init -y``); the test then signals supatui and checks that all three processes are gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, require_tool
from tests.core.test_role_step import drop_role

FAKE_NPM = """#!/usr/bin/env node
const { spawn } = require("child_process");
const fs = require("fs");
const child = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"],
                    { stdio: "ignore" });
setTimeout(() => fs.writeFileSync(process.env.SUPATUI_SIGNAL_PIDS, `${process.pid} ${child.pid}\\n`), 300);
setInterval(() => {}, 1000);
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["TERM", "HUP", "INT"])
def test_signal_ends_supatui_and_every_child(sandbox: Any, tmp_path: Path, signum: int) -> None:
    node = require_tool("node")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "npm").write_text(FAKE_NPM.replace("/usr/bin/env node", node, 1))
    (fake / "npm").chmod(0o755)
    pids_file = tmp_path / "pids"
    role = f"prisma_g{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "SUPATUI_SIGNAL_PIDS": str(pids_file),
           "SUPATUI_PRISMA_PASSWORD": "Signal-test-pw-9"}
    proc = subprocess.Popen([sys.executable, "-m", "supatui", "run", "--yes", "--sandbox", "--role", role,
                             "--dir", str(tmp_path / "proj")], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pids: list[int] = []
    try:
        assert wait_for(pids_file.exists, 90), "the fake npm never started"
        assert wait_for(lambda: len(pids_file.read_text().split()) == 2, 5)
        pids = [int(p) for p in pids_file.read_text().split()]
        assert all(alive(p) for p in pids)
        proc.send_signal(signum)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"supatui did not exit after {signum!r}: {err[-2000:]}")
        assert wait_for(lambda: not any(alive(p) for p in pids), 5), \
            f"children outlived supatui: {[p for p in pids if alive(p)]}"
        assert proc.returncode != 0 and "Traceback" not in err, err[-2000:]
    finally:
        for pid in pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
        drop_role(sandbox, role)
