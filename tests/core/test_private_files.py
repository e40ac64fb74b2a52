"""Issue 10 defect 5: files holding a password are 0600, gitignored before written, and no temp file lingers.

``prisma init`` creates ``.env`` 0644 (its mode used to be kept, and backups copied it); a kill -9
during the write left ``..env.XXXXXXXX.tmp`` with the password, not gitignored and never removed.
Real ``git`` decides what "ignored" means here.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from supatui.core.envfile import write_env
from supatui.core.files import Snapshot, write_file
from tests.conftest import ROOT, require_tool

CANARY = "Kanari5Files"
OLD = "OldKanari5"


def url(password: str) -> str:
    return f"postgresql://prisma.abcdefghijklmnopqrst:{password}@127.0.0.1:5432/postgres"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def prisma_init_env(folder: Path) -> Path:
    """What ``prisma init`` leaves: a 0644 .env with a placeholder URL."""
    env = folder / ".env"
    env.write_text('DATABASE_URL="postgresql://johndoe:randompassword@localhost:5432/mydb?schema=public"\n')
    os.chmod(env, 0o644)
    return env


def test_env_from_prisma_init_and_its_backups_become_0600(tmp_path: Path) -> None:
    env = prisma_init_env(tmp_path)
    first = write_env(env, {"DATABASE_URL": url(OLD)})
    assert mode(env) == 0o600
    assert first.backup is not None and mode(first.backup) == 0o600 and "randompassword" in first.backup.read_text()
    second = write_env(env, {"DATABASE_URL": url(CANARY)})  # a rotation: the backup holds the old password
    assert second.backup is not None and OLD in second.backup.read_text() and mode(second.backup) == 0o600
    assert mode(env) == 0o600 and CANARY in env.read_text()


def test_unchanged_env_and_old_backups_are_tightened(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f'DATABASE_URL="{url(CANARY)}"\n')
    old_backup = tmp_path / ".env.bak.3"
    old_backup.write_text(f'DATABASE_URL="{url(OLD)}"\n')
    os.chmod(env, 0o644)
    os.chmod(old_backup, 0o664)
    messages: list[str] = []
    assert not write_env(env, {"DATABASE_URL": url(CANARY)}, emit=lambda e: messages.append(e.text)).changed
    assert mode(env) == 0o600 and mode(old_backup) == 0o600
    assert any("0600" in m and ".env.bak.3" in m for m in messages)


def test_snapshot_and_plain_backups_are_0600(tmp_path: Path) -> None:
    env = prisma_init_env(tmp_path)
    snap = Snapshot(env)
    env.write_text("DATABASE_URL=changed-by-a-command\n")
    saved = snap.settle()
    assert saved is not None and mode(saved) == 0o600
    pkg = tmp_path / "package.json"
    pkg.write_text("{}\n")
    os.chmod(pkg, 0o644)
    result = write_file(pkg, '{"a": 1}\n')
    assert result.backup is not None and mode(result.backup) == 0o600 and mode(pkg) == 0o644


KILLED_WRITE = """
import os, signal, sys
from pathlib import Path
import supatui.core.files as files
real_replace = os.replace
def replace(src, dst):  # die between writing .env's temp file and the rename
    if Path(dst).name == ".env":
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)
files.os.replace = replace
from supatui.core.envfile import write_env
write_env(Path(sys.argv[1]), {"DATABASE_URL": sys.argv[2]})
"""


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)


def test_kill_9_during_the_write_leaves_only_an_ignored_private_temp_file_then_cleans_it(tmp_path: Path) -> None:
    require_tool("git")
    git(tmp_path, "init", "-q")
    env = prisma_init_env(tmp_path)
    child = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(env), url(CANARY)], cwd=ROOT, check=False)
    assert child.returncode == -9
    temps = [p for p in tmp_path.iterdir() if p.name.startswith("..env.")]
    assert len(temps) == 1 and CANARY in temps[0].read_text(), temps
    assert mode(temps[0]) == 0o600
    assert "randompassword" in env.read_text()  # the old file is intact
    # .gitignore was written before the password reached the disk: git ignores .env, backups and the temp file.
    for path in (env, temps[0], tmp_path / ".env.bak"):
        assert git(tmp_path, "check-ignore", "-q", path.name).returncode == 0, f"{path.name} is not gitignored"
    git(tmp_path, "add", "-A")
    staged = git(tmp_path, "diff", "--cached", "--name-only").stdout.split()
    assert staged == [".gitignore"], staged
    # The next write removes the leftover, and mkstemp's old-style name too.
    legacy = tmp_path / "..env.ab12cd_9.tmp"
    legacy.write_text(url(OLD))
    write_env(env, {"DATABASE_URL": url(CANARY)})
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("..env.")] == []
    assert mode(env) == 0o600


def test_gitignore_lines_are_added_once_and_kept(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("dist\n/.env\n")
    write_env(tmp_path / ".env", {"DATABASE_URL": url(CANARY)})
    write_env(tmp_path / ".env", {"DATABASE_URL": url(OLD)})
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines == ["dist", "/.env", ".env.bak*", "*.supatui-tmp"]
