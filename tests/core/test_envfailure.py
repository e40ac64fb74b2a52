"""Failures the machine causes, raised for real, then read through the one error funnel (as_user_error).

None of them may say "This is a bug in supatui": each names the cause and the fix in one line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from supatui.core.envfailure import Place, Where, failing_in
from supatui.core.envfile import write_env
from supatui.core.errors import SupatuiError, as_user_error
from supatui.core.files import atomic_write


def _line(exc: BaseException) -> str:
    error = as_user_error(exc)
    line = error.one_line()
    assert "bug in supatui" not in line, line
    assert error.code == "environment", line
    assert "\n" not in line and len(line) < 400, line
    return line


def test_disk_full_from_dev_full() -> None:
    with pytest.raises(OSError) as info, open("/dev/full", "w") as handle:  # noqa: PTH123
        handle.write("x" * 10_000)
        handle.flush()
    line = _line(info.value)
    assert "No space left" in line and "Free some space" in line


@contextlib.contextmanager
def _tmpfs(where: Path, options: str = "size=16k") -> Iterator[Path]:
    """A real small disk (full after 16 KiB; ``ro,…``: read-only) mounted at ``where``."""
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs ({options}) here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_disk_full_while_writing_a_project_file(tmp_path: Path) -> None:
    """A real full file system (a 16 KiB tmpfs): the atomic write fails, names the file and keeps the old one."""
    with _tmpfs(tmp_path / "disk") as disk:
        target = disk / "package.json"
        target.write_text('{"name": "mine"}\n')
        with contextlib.suppress(OSError), (disk / "filler").open("wb") as filler:
            filler.write(b"\0" * 1_000_000)
        with pytest.raises(OSError) as info:
            atomic_write(target, "x" * 100_000)
        line = _line(info.value)
        assert "No space left" in line and "df -h" in line
        assert target.read_text() == '{"name": "mine"}\n'


@pytest.fixture
def immutable_env(tmp_path: Path) -> Iterator[Path]:
    env = tmp_path / ".env"
    env.write_text("KEEP_ME=1\n")
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(env)], capture_output=True, check=False).returncode:
        pytest.skip("chattr +i is not possible here (needs root and ext4/xfs-like file system)")
    try:
        yield env
    finally:
        subprocess.run([chattr, "-i", str(env)], check=False)


def test_immutable_env_names_chattr(immutable_env: Path) -> None:
    with pytest.raises(OSError) as info:
        write_env(immutable_env, {"DATABASE_URL": "postgresql://prisma.x@h:5432/postgres"})
    line = _line(info.value)
    assert str(immutable_env) in line and "chattr -i" in line, line
    assert immutable_env.read_text() == "KEEP_ME=1\n"


def test_permission_denied_is_not_a_bug(tmp_path: Path) -> None:
    error = PermissionError(13, "Permission denied", str(tmp_path / "x"))
    line = _line(error)
    assert "Permission denied" in line and "ls -l" in line


def test_name_too_long(tmp_path: Path) -> None:
    with pytest.raises(OSError) as info:
        (tmp_path / ("a" * 5000)).mkdir()
    line = _line(info.value)
    assert "too long" in line and "--dir" not in line and "…" in line  # no command said how its folder is chosen
    with failing_in(Where((Place(tmp_path, "pass it with --dir"),))):
        line = _line(info.value)
    assert "too long" in line and "--dir" in line and "…" in line  # the 5,000 characters are not echoed


def test_a_file_where_a_folder_should_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("SUPATUI_HOME", str(home))
    with pytest.raises(OSError) as info:
        (home / "sandbox" / "state.json").read_text()
    line = _line(info.value)
    assert f"{home} is a file" in line and "SUPATUI_HOME" in line


def test_a_100k_host_name_is_an_input_problem() -> None:
    with pytest.raises(UnicodeError) as info:
        socket.getaddrinfo("a" * 100_000, 5432)
    line = _line(info.value)
    assert "host name" in line and "63" in line


def test_our_own_errors_pass_through() -> None:
    error = SupatuiError("x", "y")
    assert as_user_error(error) is error
    assert "bug in supatui" in as_user_error(ValueError("boom")).one_line()  # a real bug is still called one


@pytest.mark.skipif(os.geteuid() != 0, reason="the tmpfs test needs root")
def test_root_can_mount(tmp_path: Path) -> None:
    """Guard: on CI (root) the tmpfs test above must really run, not skip."""
    with _tmpfs(tmp_path / "d") as disk:
        assert disk.is_mount()


def _cli(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUPATUI_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "supatui", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env, stdin=subprocess.DEVNULL, check=False)


def _read_only_disk(where: Path) -> contextlib.AbstractContextManager[Path]:
    return _tmpfs(where, "ro,size=16k")


def _engine_at_hand(tmp_path: Path) -> list[str]:
    """kit build flags that need no engine host: the folder is the only thing that can fail."""
    engine = tmp_path / "schema-engine"
    engine.write_bytes(b"\x7fELF stand-in")
    return ["--platforms", "linux-x64", "--engine", f"linux-x64={engine}"]


def test_kit_build_on_a_read_only_disk_names_its_own_dir_not_dir_option(tmp_path: Path) -> None:
    """`kit build` takes no --dir: the hint says to give it another DIR (the option of the command that failed)."""
    with _read_only_disk(tmp_path / "ro") as disk:
        done = _cli("kit", "build", str(disk / "kit"), *_engine_at_hand(tmp_path), cwd=tmp_path, home=tmp_path / "home")
    assert done.returncode == 1, done.stderr
    line = done.stderr.strip()
    assert "read-only" in line and "--dir" not in line and "kit build" in line, line
    assert "finished steps" not in line, line


def test_kit_build_with_a_too_long_name_names_its_own_dir(tmp_path: Path) -> None:
    done = _cli("kit", "build", str(tmp_path / ("k" * 300)), *_engine_at_hand(tmp_path), cwd=tmp_path,
                home=tmp_path / "home")
    assert done.returncode == 1, done.stderr
    line = done.stderr.strip()
    assert "too long" in line and "--dir" not in line and "kit build" in line, line


def test_run_on_a_read_only_disk_still_names_dir(tmp_path: Path) -> None:
    with _read_only_disk(tmp_path / "ro") as disk:
        done = _cli("run", "--yes", "--sandbox", "--dir", str(disk / "p"), cwd=tmp_path, home=tmp_path / "home")
    assert done.returncode != 0, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert "--dir" in line, line


def test_sandbox_home_on_a_read_only_disk_names_supatui_home(tmp_path: Path) -> None:
    with _read_only_disk(tmp_path / "ro") as disk:
        done = _cli("sandbox", "start", cwd=tmp_path, home=disk / "home")
    assert done.returncode == 1, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert "read-only" in line and "SUPATUI_HOME" in line and "--dir" not in line, line


def test_doctor_report_on_a_read_only_disk_names_report(tmp_path: Path) -> None:
    with _read_only_disk(tmp_path / "ro") as disk:
        done = _cli("doctor", "--report", str(disk / "r.txt"), cwd=tmp_path, home=tmp_path / "home")
    line = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.stdout
    assert "--report" in line and "--dir" not in line, line
