"""`supatui run` as a person meets it: a failure said once, and "n" to a step's question stops there calmly."""

from __future__ import annotations

import os
import re
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import require_tool
from tests.matrix.clihelp import child_env, closed_port


def test_a_failure_is_said_once_when_stdout_and_stderr_share_a_terminal(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "supatui", "run", "--yes", "--dir", str(tmp_path / "p"), "--ref",
            "abcdefghijklmnopqrst", "--pooler-host", "127.0.0.1", "--session-port", str(closed_port())]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=child_env(SUPATUI_DB_PASSWORD="not-it"), timeout=120, check=False)
    assert proc.returncode == 1, proc.stdout
    final = [line for line in proc.stdout.splitlines() if line.startswith("supatui: step")]
    assert len(final) == 1, proc.stdout
    reason = final[0].split("failed: ", 1)[1].split(" — ", 1)[0]
    assert proc.stdout.count(reason) == 1, proc.stdout  # not again in the step's own "✗" line


def _read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_answering_n_stops_before_that_step_without_an_error(tmp_path: Path, sandbox: Any) -> None:
    """In a real terminal (script(1) gives the child a pty of its own): the prompt, "n", a calm stop, exit 0."""
    script = require_tool("script")
    command = shlex.join([sys.executable, "-m", "supatui", "run", "--sandbox", "--dir", str(tmp_path / "p")])
    proc = subprocess.Popen([script, "-qfec", command, "/dev/null"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=child_env())
    assert proc.stdin is not None and proc.stdout is not None
    try:
        seen = _read_until(proc.stdout.fileno(), b"[Y/n]", 120)
        # The first step asked about: role on a fresh sandbox, a later one when the suite's shared sandbox
        # already has the role (a step found done is skipped without a question).
        asked = re.search(rb"Run step '(\w+)'\?", seen)
        assert asked, seen
        step = asked.group(1).decode()
        proc.stdin.write(b"n\n")
        proc.stdin.flush()
        seen += _read_until(proc.stdout.fileno(), f"--from {step}".encode(), 60)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = seen.decode(errors="replace")
    assert proc.returncode == 0, text
    assert f"Stopped before step {step}" in text and f"supatui run --from {step}" in text, text
    assert "cancelled" not in text and "failed" not in text and "Traceback" not in text, text


def test_resume_names_the_step_to_run_first(tmp_path: Path) -> None:
    """Step 5 without a project said "Run the project step first: supatui run --from project. (resume with: supatui
    run --from client)": two commands, the second one failing the same way. The resume now names the project step."""
    argv = [sys.executable, "-m", "supatui", "run", "--yes", "--from", "client", "--dir", str(tmp_path / "p"), "--ref",
            "abcdefghijklmnopqrst", "--pooler-host", "127.0.0.1"]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=child_env(SUPATUI_DB_PASSWORD="not-used"), timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    line = proc.stderr.strip()
    assert line.startswith("supatui: step 'client' failed:") and "\n" not in line, line
    assert line.endswith("(resume with: supatui run --from project)"), line
    assert line.count("supatui run") == 1, line
