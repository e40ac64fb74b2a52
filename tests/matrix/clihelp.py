"""Running `python -m supatui …` as a user would (own env, no terminal) and judging what it leaves behind.

Kept apart from the case table so the leak test and the signal tests share one way to start
the CLI and one definition of "a clear one-line message" and "files kept or backed up".
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

# Words that start "what to do next" in a message (case-insensitive, whole words).
HINT_RE = re.compile(
    r"\b(pass|copy|run|set|pick|check|install|start|use|see|try|choose|enter|fix|stop|resume|paste|open|"
    r"report|reset|unlock|replace|remove|create|give|wait)\b", re.IGNORECASE)
# Passwords and variables of the parent test session that a child must not inherit by accident.
SCRUBBED = ("SUPATUI_DB_PASSWORD", "SUPATUI_PRISMA_PASSWORD", "SUPATUI_TEST_KEYRING_LOCKED", "SUPATUI_DEBUG",
            "NO_COLOR", "PGPASSWORD", "DATABASE_URL", "DIRECT_URL")


@dataclass
class CliResult:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def describe(self) -> str:
        tail = "\n".join(self.stdout.splitlines()[-15:])
        return (f"argv: {self.argv[3:]}\nexit: {self.returncode} ({self.seconds:.1f}s)\n"
                f"--- stderr ---\n{self.stderr}--- stdout (tail) ---\n{tail}")


def child_env(extra: Mapping[str, str | None] = (), **more: str | None) -> dict[str, str]:
    """The environment for one CLI child: the test session's isolation, minus secrets, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(ROOT)
    env["NO_COLOR"] = "1"
    env["TERM"] = "dumb"
    for key, value in {**dict(extra), **more}.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "supatui", *args]


def run_cli(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 180) -> CliResult:
    """Run the CLI with stdin closed (no terminal to ask on), capture both streams."""
    argv = cli_argv(*args)
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, check=False)
    return CliResult(argv, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def start_cli(args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the CLI in its own process group (so a Ctrl-C can be sent to the group, as a terminal does)."""
    return subprocess.Popen(cli_argv(*args), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def interrupt_group(proc: subprocess.Popen[str]) -> None:
    """What a terminal does on Ctrl-C: SIGINT to the whole foreground process group."""
    os.killpg(proc.pid, signal.SIGINT)


def assert_one_clear_line(result: CliResult, expect: str = "") -> str:
    """Exactly one stderr line; it names the problem (``expect``) and says what to do next; no traceback."""
    assert "Traceback" not in result.stderr + result.stdout, result.describe()
    lines = result.stderr_lines
    assert len(lines) == 1, f"expected exactly one stderr line, got {len(lines)}\n{result.describe()}"
    line = lines[0]
    assert HINT_RE.search(line), f"the line does not say what to do next\n{result.describe()}"
    if expect:
        assert re.search(expect, line, re.IGNORECASE), f"the line does not mention /{expect}/\n{result.describe()}"
    return line


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bin_dir(root: Path, *tools: str) -> Path:
    """A PATH folder holding only python (and ``tools`` found on the real PATH), as symlinks."""
    root.mkdir(parents=True, exist_ok=True)
    links = {"python": sys.executable, "python3": sys.executable}
    for tool in tools:
        found = shutil.which(tool)
        assert found, f"{tool} is needed to build this PATH"
        links[tool] = found
    for name, target in links.items():
        link = root / name
        if not link.exists():
            link.symlink_to(target)
    return root


# -- files kept or backed up -------------------------------------------------------------------

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot_files(root: Path) -> dict[Path, str]:
    """Every regular file under ``root`` (node_modules excluded) -> sha256 of its bytes."""
    found: dict[Path, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "node_modules"]
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                found[path] = _digest(path)
    return found


def assert_files_kept(before: dict[Path, str], root: Path, *, context: str = "") -> None:
    """Every file that was there is still there byte for byte, or its exact old bytes are in a backup."""
    after = snapshot_files(root)
    everywhere = set(after.values())
    for path, digest in before.items():
        if after.get(path) == digest:
            continue
        assert digest in everywhere, (
            f"{path} was {'changed' if path in after else 'deleted'} and its old content is in no backup "
            f"under {root}\n{context}")
        backups = [p for p, d in after.items() if d == digest and p != path]
        assert backups, f"{path}: old content not found in a backup\n{context}"
