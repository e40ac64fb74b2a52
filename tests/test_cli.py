"""The `supatui` command's conventions: --version, --help, usage errors, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from supatui import __version__

ROOT = Path(__file__).resolve().parent.parent


def supatui(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


def test_version_and_help() -> None:
    assert supatui("--version").stdout.strip() == f"supatui {__version__}"
    out = supatui("--help").stdout
    for command in ("run", "sandbox"):
        assert command in out


def test_usage_error_exits_2_with_one_line() -> None:
    result = supatui("run", "--mode", "bogus")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_run_without_yes_and_without_terminal_says_what_to_do(tmp_path: Path) -> None:
    result = supatui("run", "--dir", str(tmp_path / "p"))
    assert result.returncode == 2
    assert "--yes" in result.stderr and "Traceback" not in result.stderr


def test_run_without_a_database_says_what_to_do(tmp_path: Path) -> None:
    result = supatui("run", "--yes", "--dir", str(tmp_path / "p"))
    assert result.returncode == 2
    assert "--sandbox" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
