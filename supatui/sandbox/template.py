"""A bootstrapped data dir kept as a template, so a new sandbox is a copy instead of initdb + bootstrap.

The first cold start on a machine runs ``build_data_dir`` (initdb, Supabase's bootstrap, clean stop) into
``<cache>/sandbox-templates/<key>/data``; every later one copies it (``cp -a``: owner and modes kept, so
it works as root for the unprivileged server user) and sets fresh passwords. ``<cache>`` is the user cache
folder (as root: /var/lib/supatui). The key covers the binaries and everything the bootstrap writes, so a
new supatui or new binaries build a new template. It holds no secret of any sandbox: its own passwords
are random and replaced in every copy. ``SUPATUI_SANDBOX_TEMPLATE=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from supatui.core import secrets
from supatui.core.errors import SupatuiError
from supatui.sandbox import cluster as cluster_mod
from supatui.sandbox import extensions, roles, runas


def enabled() -> bool:
    return os.environ.get("SUPATUI_SANDBOX_TEMPLATE", "1").lower() not in ("0", "no", "false", "off")


def cache_root(who: runas.RunAs) -> Path:
    if who.switch or runas.is_root():
        return runas.STAGE_ROOT / "sandbox-templates"
    import platformdirs

    return Path(platformdirs.user_cache_dir("supatui", appauthor=False)) / "sandbox-templates"


def key(bin_dir: Path) -> str:
    """What the template depends on: the binaries, the bootstrap SQL, settings, hba, stand-in extensions."""
    postgres = bin_dir / ("postgres.exe" if os.name == "nt" else "postgres")
    try:
        st = postgres.stat()
        binary = f"{bin_dir}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        binary = str(bin_dir)
    parts = [binary, roles.BOOTSTRAP, cluster_mod.HBA, json.dumps(cluster_mod.SERVER_SETTINGS, sort_keys=True),
             " ".join(cluster_mod.INITDB_FLAGS)]
    parts += [Path(module.__file__ or "").read_text() for module in (cluster_mod, extensions)]
    for path in sorted(extensions.STAND_IN_DIR.iterdir()):
        parts.append(path.name + path.read_text())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def ensure(bin_dir: Path, who: runas.RunAs) -> Path:
    """The template's data dir, built first if missing (a concurrent builder's result is as good)."""
    root = cache_root(who)
    name = key(bin_dir)
    done = root / name
    if (done / "data" / "PG_VERSION").exists() and (done / ".complete").exists():
        with contextlib.suppress(OSError):
            os.utime(done)  # in use: keep it from being pruned
        return done / "data"
    try:
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
    except OSError as exc:
        raise SupatuiError(f"Cannot create the sandbox's template folder {root}: {exc.strerror or exc}.",
                           "Set SUPATUI_SANDBOX_TEMPLATE=0 to build each sandbox from scratch.") from None
    building = root / f".{name}.{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    try:
        cluster_mod.build_data_dir(building, bin_dir, who, secrets.generate_password(32),
                                   cluster_mod.scram_secret(secrets.generate_password(32)))
        for leftover in ("postgres.log", "run", extensions.OVERLAY):
            path = building / leftover
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        (building / ".complete").write_text("")
        try:
            os.rename(building, done)
        except OSError:  # another start built it first
            shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _prune(root, keep=name)
    return done / "data"


def _prune(root: Path, keep: str) -> None:
    """Templates of other binaries or bootstraps unused for a day, and builds abandoned an hour ago."""
    import time

    now = time.time()
    for other in root.iterdir():
        if other.name == keep:
            continue
        try:
            age = now - other.stat().st_mtime
        except OSError:
            continue
        if age > (3600 if other.name.startswith(".") else 86400):
            shutil.rmtree(other, ignore_errors=True)


def copy_into(template: Path, cluster_dir: Path, who: runas.RunAs) -> None:
    """``<cluster_dir>/data`` = a copy of the template (owner and modes kept)."""
    target = cluster_dir / "data"
    shutil.rmtree(target, ignore_errors=True)
    if os.name != "nt" and shutil.which("cp"):
        proc = subprocess.run(["cp", "-a", str(template), str(target)], capture_output=True, text=True, check=False)
        if proc.returncode == 0:
            return
        shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target, symlinks=True)
    if who.switch:
        for path in [target, *target.rglob("*")]:
            os.chown(path, who.uid, who.gid, follow_symlinks=False)
