"""`supatui` and `supatui --sandbox` without a terminal: one line saying how to run headless, exit 2, no drawing."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.matrix.clihelp import child_env


@pytest.mark.parametrize("argv, headless", [((), "--url"), (("--sandbox",), "--sandbox")])
def test_piped_wizard_says_how_to_run_headless(argv: tuple[str, ...], headless: str, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "supatui", *argv, "--dir", str(tmp_path / "p")], input="",
                          capture_output=True, text=True, timeout=30, env=child_env(), check=False)
    assert proc.returncode == 2, proc
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs a terminal" in lines[0] and f"supatui run --yes {headless}" in lines[0], proc
    assert "\x1b[" not in proc.stdout and proc.stdout == ""  # nothing drawn into the pipe
    assert not (tmp_path / "p").exists()  # nothing created for a run that cannot start


def test_stdout_piped_with_a_terminal_on_stdin(tmp_path: Path) -> None:
    main, side = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "supatui", "--sandbox", "--dir", str(tmp_path / "p")],
                              stdin=side, capture_output=True, text=True, timeout=30, env=child_env(), check=False)
    finally:
        os.close(side)
        os.close(main)
    assert proc.returncode == 2, proc
    assert "its stdout is not one" in proc.stderr and proc.stdout == "", proc
